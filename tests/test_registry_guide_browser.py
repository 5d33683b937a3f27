"""The registry user guide, walked in a real browser (Debian's chromium via Playwright) against a real
`passage run` with its worker and the demo operation, plus a demo registry of a few hundred people.

A clerk registers a household and sees a possible duplicate while typing, searches in several ways, opens a
person; a caseworker corrects the same record meanwhile and the clerk is told who changed what; the clerk
records consent, moves a member, adds a photo and exports a protected list; a data officer sees the person
masked and counts people by area, sex and age; the person page in Arabic reads right to left.

Every step checks what the guide says; the screenshots of docs/user-guide/registry.md are written on the way
to docs/user-guide/img/registry-*.png."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "user-guide" / "img"
PHONE = "0770 611 2233"


@pytest.fixture(scope="module")
def registry(server: dict[str, str]) -> dict[str, str]:
    """The demo registry (`passage demo --people 400`) built into the running server's database."""
    env = {
        **os.environ,
        "PASSAGE_DATA_DIR": server["data_dir"],
        "PASSAGE_TESTING": "false",
        "PASSAGE_DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "passage.config.settings",
    }
    env.pop("DATABASE_URL", None)
    built = subprocess.run(
        [sys.executable, "-m", "passage.cli", "demo", "--people", "400"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Registered 400 people" in built.stdout
    IMAGES.mkdir(parents=True, exist_ok=True)
    return server


def sign_in(page: Page, server: dict[str, str], username: str) -> None:
    page.goto(server["base"] + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(server["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(username))).to_be_visible()


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=str(IMAGES / f"registry-{name}.png"), full_page=full_page)


def search(page: Page, server: dict[str, str], text: str) -> None:
    """The people list searched for `text` (the address the search box leads to)."""
    page.goto(server["base"] + "/registry/people/?" + urlencode({"q": text}))


def open_hadi(page: Page, server: dict[str, str]) -> str:
    """Find the household head registered in the first test by his phone and open his page; his number."""
    search(page, server, PHONE)
    rows = page.get_by_test_id("people").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a").click()
    expect(page.get_by_test_id("person-name")).to_have_text("هادي التميمي")
    return page.locator("h1 code").inner_text()


def latin_names(page: Page) -> list[str]:
    return page.get_by_test_id("people").locator("tbody tr td:nth-child(3)").all_inner_texts()


def test_clerk_registers_a_household_sees_a_duplicate_and_searches(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "clerk")
    page.locator("nav a[href='/registry/register/']").click()
    expect(page.get_by_role("heading", name="Register a household")).to_be_visible()

    # The household: office, area (by P-code) and address; the head with names in two scripts.
    baghdad = page.locator("[name='office'] option", has_text="Baghdad").get_attribute("value")
    page.locator("[name='office']").select_option(baghdad)
    place = page.get_by_test_id("place-search")  # found by P-code or by a name in any language
    place.fill("IQD035")
    expect(page.get_by_role("option", name=re.compile("Karkh"))).to_be_visible()
    place.press("ArrowDown")
    place.press("Enter")
    expect(page.locator("input[name='admin_area']")).to_have_value("IQD035")
    page.locator("[name='address']").fill("Hay Al-Jihad, street 14, house 9")
    page.locator("[name='members-0-relationship']").select_option("head")
    page.locator("[name='members-0-given_name']").fill("هادي")
    page.locator("[name='members-0-family_name']").fill("التميمي")
    page.locator("[name='members-0-given_name_latin']").fill("Hadi")
    page.locator("[name='members-0-family_name_latin']").fill("Al-Tamimi")
    page.locator("[name='members-0-sex']").select_option("male")
    page.locator("[name='members-0-birth_date_precision']").select_option("month")
    page.locator("[name='members-0-birth_date']").fill("1979-06")
    page.locator("[name='members-0-phone']").fill(PHONE)
    page.locator("[name='members-0-document_type']").select_option("national_id")
    page.locator("[name='members-0-document_number']").fill("198765432109")
    page.locator("[name='members-0-document_country']").fill("IQ")
    page.locator("#id_members-0-consent_granted_0").check()
    page.locator("[name='members-0-consent_method']").select_option("written")
    page.get_by_role("button", name="Add a member").click()
    page.locator("[name='members-1-relationship']").select_option("spouse")
    page.locator("[name='members-1-given_name']").fill("سميرة")
    page.locator("[name='members-1-given_name_latin']").fill("Samira")
    page.locator("[name='members-1-sex']").select_option("female")
    page.locator("[name='members-1-birth_date_precision']").select_option("age")
    page.locator("[name='members-1-age_years']").fill("41")
    page.locator("#id_members-1-consent_granted_0").check()
    page.locator("[name='members-1-consent_method']").select_option("verbal")
    page.get_by_role("button", name="Register the household").click()

    expect(page.get_by_role("status")).to_contain_text("registered with 2 members")
    members = page.get_by_test_id("members")
    expect(members).to_contain_text("Hadi Al-Tamimi")
    expect(members).to_contain_text("1979-06")
    expect(members).to_contain_text("Spouse")
    expect(page.locator("dl")).to_contain_text("IQD035")
    shot(page, "household")

    # A second registration with the same phone: the panel names Hadi before anything is saved.
    page.locator("nav a[href='/registry/register/']").click()
    page.locator("[name='members-0-relationship']").select_option("head")
    page.locator("[name='members-0-given_name']").fill("هادي")
    page.locator("[name='members-0-given_name_latin']").fill("Haadi")
    page.locator("[name='members-0-birth_date_precision']").select_option("year")
    page.locator("[name='members-0-birth_date']").fill("1979")
    page.locator("[name='members-0-phone']").fill("+964 770 611 2233")
    page.locator("[name='members-0-phone']").blur()
    duplicates = page.get_by_test_id("duplicates")
    expect(duplicates).to_contain_text("Member 1: same phone as")
    expect(duplicates).to_contain_text("هادي التميمي")
    # A birth date that does not fit the precision chosen is named beside the field while typing.
    page.locator("[name='members-0-birth_date']").fill("06/1979")
    page.locator("[name='members-0-birth_date']").blur()
    expect(page.locator("#err-members-0-birth_date")).to_contain_text("Write the year as YYYY.")
    page.locator("[name='members-0-birth_date']").fill("1979")
    page.locator("[name='members-0-birth_date']").blur()
    expect(page.locator("#err-members-0-birth_date")).to_be_empty()
    shot(page, "register", full_page=True)

    # Search as one types: another spelling of a name finds the usual ones (the demo registry has many).
    page.locator("nav a[href='/registry/people/']").click()
    page.get_by_label(re.compile("Search by name")).press_sequentially("Mohamad", delay=50)
    expect(page).to_have_url(re.compile(r"q=Mohamad"))
    expect(page.get_by_test_id("people")).to_contain_text("Muhammad")
    names = latin_names(page)
    assert len(names) > 3
    assert {"Mohammed", "Muhammad"} <= {word for name in names for word in name.split()}
    shot(page, "search")
    # Names as written, in their own script.
    search(page, server, "هادي")
    expect(page.get_by_test_id("people")).to_contain_text("Hadi Al-Tamimi")
    # A phone however it is written, a document number, a P-code, a registration number.
    search(page, server, "+9647706112233")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(1)
    search(page, server, "1987 6543 2109")
    expect(page.get_by_test_id("people")).to_contain_text("Hadi Al-Tamimi")
    search(page, server, "iqd035")
    places = page.get_by_test_id("people").locator("tbody tr td:nth-child(6)").all_inner_texts()
    assert places and all("IQD035" in place for place in places)
    reference = open_hadi(page, server)
    search(page, server, reference)
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(1)
    search(page, server, "Zzyzx Qqq")
    expect(page.get_by_test_id("empty")).to_contain_text("No one you may see matches")


def test_a_correction_made_meanwhile_is_named_and_kept(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "clerk")
    open_hadi(page, server)
    page.get_by_role("link", name="Correct").click()
    expect(page.get_by_role("heading", name=re.compile("Correct the record"))).to_be_visible()

    # A caseworker, in another browser, corrects the family name first.
    browser: Browser = page.context.browser  # type: ignore[assignment]
    other_context = browser.new_context(viewport={"width": 1280, "height": 860})
    other = other_context.new_page()
    sign_in(other, server, "caseworker")
    other.goto(page.url)
    other.locator("[name='person-family_name_latin']").fill("Al-Tamimy")
    other.get_by_test_id("save").click()
    expect(other.get_by_role("alert").or_(other.get_by_role("status")).first).to_contain_text("is corrected")
    other_context.close()

    # The clerk, on the page opened before: a wrong phone is named as it is typed, then corrected.
    phones = page.locator("[name='person-phones']")
    phones.fill("0770 611 2233\n12")
    phones.blur()
    expect(page.locator("#err-person-phones")).to_contain_text("wrong number of digits")
    phones.fill("0770 611 2233\n0751 300 4455")
    phones.blur()
    expect(page.locator("#err-person-phones")).to_be_empty()
    page.locator("[name='person-given_name_latin']").fill("Haadi")
    page.get_by_test_id("save").click()

    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("caseworker")
    expect(conflict).to_contain_text("family name (Latin letters)")
    expect(page.locator("[name='person-family_name_latin']")).to_have_value("Al-Tamimy")
    expect(page.locator("[name='person-given_name_latin']")).to_have_value("Haadi")
    expect(phones).to_have_value("0770 611 2233\n0751 300 4455")
    shot(page, "conflict")

    page.get_by_test_id("save").click()
    expect(page.locator("main")).to_contain_text("is corrected")
    names = page.locator("table").first
    expect(names).to_contain_text("Haadi")
    expect(names).to_contain_text("Al-Tamimy")
    expect(page.get_by_test_id("phones")).to_contain_text("+9647513004455")


def _portrait(folder: Path) -> Path:
    path = folder / "portrait.jpg"
    image = Image.new("RGB", (300, 400), (170, 190, 205))
    for x in range(90, 210):
        for y in range(80, 230):
            if (x - 150) ** 2 / 60**2 + (y - 155) ** 2 / 75**2 <= 1:
                image.putpixel((x, y), (120, 90, 70))
    for x in range(40, 260):
        for y in range(260, 400):
            if (x - 150) ** 2 / 110**2 + (y - 400) ** 2 / 140**2 <= 1:
                image.putpixel((x, y), (60, 80, 120))
    exif = Image.Exif()
    exif[0x010F] = "FieldCam"
    image.save(path, format="JPEG", exif=exif.tobytes())
    return path


def test_clerk_records_consent_moves_a_member_and_adds_a_photo(
    registry: dict[str, str], page: Page, tmp_path: Path
) -> None:
    server = registry
    sign_in(page, server, "clerk")
    open_hadi(page, server)
    person_url = page.url

    # Consent: a new decision for a purpose, recorded as the clerk, now.
    page.get_by_role("link", name="Consent").click()
    page.locator("[name='purpose']").select_option("research")
    page.get_by_label("Consents").check()
    page.locator("[name='method']").select_option("written")
    shot(page, "consent")
    page.get_by_test_id("record-consent").click()
    consents = page.get_by_test_id("consents")
    expect(consents).to_contain_text("Research")
    expect(consents).to_contain_text("clerk")

    # The photo: re-encoded without the camera's details, stored encrypted, shown to this role.
    page.get_by_role("link", name="Photo").click()
    page.locator("input[type=file]").set_input_files(str(_portrait(tmp_path)))
    page.get_by_test_id("upload-photo").click()
    expect(page.locator("main")).to_contain_text("The photo is saved, encrypted.")
    photo = page.get_by_test_id("photo").locator("img")
    expect(photo).to_be_visible()
    shown = page.request.get(server["base"] + (photo.get_attribute("src") or ""))
    assert shown.ok and "no-store" in shown.headers["cache-control"]
    assert b"FieldCam" not in shown.body()
    shot(page, "person")

    # Samira moves out to a household of her own: the history keeps both.
    page.goto(person_url)
    page.get_by_test_id("households").locator("a").first.click()
    expect(page.get_by_test_id("household-reference")).to_be_visible()
    page.get_by_test_id("members").locator("tr", has_text="Samira").locator("a").first.click()
    expect(page.get_by_test_id("person-name")).to_have_text("سميرة")
    page.get_by_role("link", name="Move or leave household").click()
    page.get_by_label("A new household of their own").check()
    page.locator("[name='relationship']").select_option("head")
    page.locator("[name='address']").fill("Hay Al-Adl, street 3")
    page.locator("[name='note']").fill("Separated; lives with her sister's family nearby")
    shot(page, "move")
    page.get_by_test_id("move").click()
    expect(page.locator("main")).to_contain_text("now lives in household HH-")
    expect(page.get_by_test_id("households").locator("li")).to_have_count(2)


def test_clerk_exports_a_protected_list(registry: dict[str, str], page: Page, tmp_path: Path) -> None:
    server = registry
    sign_in(page, server, "clerk")
    search(page, server, "Tamimi")
    page.get_by_test_id("export").first.click()
    expect(page.get_by_test_id("matching")).to_contain_text("match “Tamimi”")
    page.get_by_label("Names, dates of birth and households").check()
    page.get_by_label("Phone numbers and identity documents").check()
    page.get_by_role("button", name="Export").click()
    expect(page.locator("main")).to_contain_text("password-protected file")  # refused without a password
    page.get_by_label("Password to open the file").fill("Erbil-spring-2025")
    page.get_by_label("The password again").fill("Erbil-spring-2025")
    shot(page, "export", full_page=True)
    page.get_by_role("button", name="Export").click()

    expect(page.get_by_role("link", name="Download the result")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the result").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    # An encrypted workbook is an OLE container that asks for the password, not a plain XLSX zip.
    assert saved.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"


def test_data_officer_sees_people_masked_and_counts_them(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "dataofficer")
    open_hadi(page, server)
    expect(page.get_by_test_id("person-actions")).to_have_count(0)
    expect(page.get_by_test_id("phones")).to_contain_text("••••")
    expect(page.get_by_test_id("phones")).not_to_contain_text("2233")
    expect(page.locator("main")).to_contain_text("A photo is on file; your role does not see photos.")
    assert page.request.get(page.url + "photo/").status == 404
    assert page.request.get(page.url + "edit/").status == 404
    shot(page, "masked")

    page.goto(server["base"] + "/registry/aggregates/")
    expect(page.get_by_role("heading", name="People by area, sex and age")).to_be_visible()
    expect(page.locator("#aggregates-chart-canvas svg")).to_be_visible()
    table = page.get_by_test_id("aggregates")
    expect(table).to_contain_text("Baghdad")
    expect(table).to_contain_text("<5")
    shot(page, "aggregates", full_page=True)

    hxl = page.request.get(server["base"] + "/registry/aggregates/hxl/?level=1&threshold=5")
    assert hxl.ok
    rows = list(csv.reader(io.StringIO(hxl.text())))
    assert rows[1] == [
        "#adm1+code",
        "#adm1+name",
        "#beneficiary+sex",
        "#beneficiary+age+group",
        "#affected+ind",
        "#meta+suppressed",
        "#date+reported",
    ]
    suppressed = [row for row in rows[2:] if row[5]]
    assert suppressed and all(row[4] == "" and row[5] == "<5" for row in suppressed)
    assert all(int(row[4]) >= 5 for row in rows[2:] if row[4])


def test_the_person_page_in_arabic_reads_right_to_left(registry: dict[str, str], page: Page) -> None:
    server = registry
    sign_in(page, server, "clerk")
    open_hadi(page, server)
    page.select_option("#language-switcher", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_test_id("person-name")).to_have_text("هادي التميمي")
    shot(page, "person-arabic")
    page.select_option("#language-switcher", "en")  # the choice is saved with the account
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
