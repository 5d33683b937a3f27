"""The batch mode over the registry: people registered through the registry's actions, a run started through
start_match_run and its job (run in-process), pairs stored with their explanation and band, twins never
paired, pairs decided different never proposed again, and pairs seen only by those who may see both people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from passage.core.models import AuditEvent, Job
from passage.core.models.jobs import JobState
from passage.core.tests.factories import OfficeFactory, member_of
from passage.matching.actions import decide_pair, set_match_settings, start_match_run
from passage.matching.model import Model
from passage.matching.models import CandidatePair, MatchRun, MatchSettings, RunState
from passage.matching.registry_records import phone_key, registry_frame
from passage.registry.actions import register_household
from passage.registry.models import AdminArea, Person, RegistrationImport
from passage.registry.registration import ConsentInput, DocumentInput, PersonInput

AGREED = ConsentInput(granted=True, method="verbal")

OTHERS = [
    ("Layla", "Karim", "Saeed", "Haddad", "female", dt.date(1990, 5, 4), "0771 555 0101"),
    ("Omar", "Yusuf", "Salim", "Barzani", "male", dt.date(1978, 11, 23), "0772 555 0202"),
    ("Zainab", "Hamid", "Jafar", "Kadhim", "female", dt.date(2001, 2, 14), "0773 555 0303"),
    ("Khalid", "Nasser", "Fadel", "Obeidi", "male", dt.date(1965, 8, 30), "0774 555 0404"),
    ("Mariam", "Adel", "Qasim", "Shammari", "female", dt.date(1995, 12, 9), "0775 555 0505"),
    ("Yousef", "Tariq", "Majid", "Dulaimi", "male", dt.date(1988, 4, 17), "0776 555 0606"),
    ("Huda", "Sami", "Raad", "Tamimi", "female", dt.date(1972, 7, 1), "0777 555 0707"),
    ("Bilal", "Faris", "Ghanim", "Azzawi", "male", dt.date(2005, 9, 12), "0778 555 0808"),
]


@pytest.fixture
def office(operation):
    return OfficeFactory(operation=operation)


@pytest.fixture
def clerk(operation, office):
    return member_of(operation, "registration_clerk", offices=[office])


@pytest.fixture
def areas():
    iq = AdminArea.objects.create(country="IQ", level=0, pcode="IQ", name="Iraq")
    ninewa = AdminArea.objects.create(country="IQ", level=1, pcode="IQG15", name="Ninewa", parent=iq)
    mosul = AdminArea.objects.create(country="IQ", level=2, pcode="IQG15Q01", name="Mosul", parent=ninewa)
    return {"admin1": ninewa, "admin2": mosul}


def _member(relationship, given, father, grandfather, family, sex, born, phone, **more):
    return PersonInput(
        relationship=relationship,
        consent=AGREED
        if relationship == "head" or born.year < 2008
        else ConsentInput(granted=True, method="proxy", proxy_name="father"),
        given_name_latin=given,
        father_name_latin=father,
        grandfather_name_latin=grandfather,
        family_name_latin=family,
        sex=sex,
        birth_date=born,
        birth_date_precision="day",
        phones=[phone] if phone else [],
        **more,
    )


@pytest.fixture
def registry(clerk, operation, office, areas):
    """The Jubouri family (a father and twins who share every name but their own, their birth date and the
    household phone), the father registered a second time in Arabic script with the same passport, and eight
    unrelated people."""
    family = register_household(
        acting_user=clerk,
        operation=operation,
        office=office,
        admin_area=areas["admin2"],
        members=[
            _member(
                "head",
                "Mohammed",
                "Abdulrahman",
                "Hussein",
                "Al-Jubouri",
                "male",
                dt.date(1985, 3, 17),
                "0770 123 4567",
                documents=[DocumentInput(type="passport", number="A12345678", issuing_country="IQ")],
            ),
            _member(
                "son", "Ali", "Mohammed", "Abdulrahman", "Al-Jubouri", "male", dt.date(2015, 6, 2), "0770 123 4567"
            ),
            _member(
                "son", "Omar", "Mohammed", "Abdulrahman", "Al-Jubouri", "male", dt.date(2015, 6, 2), "0770 123 4567"
            ),
        ],
    )
    again = register_household(
        acting_user=clerk,
        operation=operation,
        office=office,
        admin_area=areas["admin2"],
        members=[
            PersonInput(
                relationship="head",
                consent=AGREED,
                given_name="محمد",
                father_name="عبد الرحمن",
                grandfather_name="حسين",
                family_name="الجبوري",
                sex="male",
                birth_date=dt.date(1985, 3, 17),
                birth_date_precision="day",
                phones=["+964 770 123 4567"],
                documents=[DocumentInput(type="passport", number="a1234 5678", issuing_country="IQ")],
            )
        ],
    )
    for n, (given, father, grandfather, family_name, sex, born, phone) in enumerate(OTHERS):
        register_household(
            acting_user=clerk,
            operation=operation,
            office=office if n % 2 else None,
            members=[_member("head", given, father, grandfather, family_name, sex, born, phone)],
        )
    people = {p.given_name_latin or p.given_name: p for p in Person.objects.filter(operation=operation)}
    return {
        "father": people["Mohammed"],
        "again": people["محمد"],
        "ali": people["Ali"],
        "omar": people["Omar"],
        "family": family,
        "again_household": again,
    }


def _run(clerk, operation, django_capture_on_commit_callbacks, registration_import=None) -> MatchRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = start_match_run(clerk, operation, registration_import)
    run.refresh_from_db()
    return run


def _pair_of(a, b) -> CandidatePair:
    first, second = sorted([a.pk, b.pk])
    return CandidatePair.objects.get(person_a_id=first, person_b_id=second)


def test_the_builder_reads_names_dates_blind_indexes_and_areas(registry, operation):
    frame = registry_frame(operation, chunk=4)  # several chunks
    assert frame.height == 12 and frame["record_id"].n_unique() == 12
    rows = {row["record_id"]: row for row in frame.iter_rows(named=True)}
    father, again = rows[str(registry["father"].pk)], rows[str(registry["again"].pk)]
    assert (father["given_name"], father["family_name"], father["sex"]) == ("Mohammed", "Al-Jubouri", "male")
    assert (again["given_name"], again["father_name"]) == ("محمد", "عبد الرحمن")
    assert father["date_of_birth"] == "1985-03-17"
    assert (father["admin1"], father["admin2"]) == ("IQG15", "IQG15Q01")
    # Phones and documents: the blind indexes, never the numbers, equal for the two ways of writing them.
    assert father["phone"] == again["phone"] == phone_key(registry["father"].phones.get().number_index)
    assert len(father["phone"]) == 9 and "7701234567" not in father["phone"]
    assert father["document_number"] == again["document_number"] and "12345678" not in father["document_number"]


def test_a_run_stores_the_duplicate_with_its_explanation_and_never_pairs_the_twins(
    registry, clerk, operation, django_capture_on_commit_callbacks
):
    run = _run(clerk, operation, django_capture_on_commit_callbacks)
    assert run.state == RunState.DONE and run.people_read == 12 and run.pairs_new >= 1
    assert run.job.state == JobState.SUCCEEDED and run.job.counts["pairs_new"] == run.pairs_new
    assert (run.job.progress_done, run.job.progress_total, run.job.stage) == (12, 12, "Done")
    pair = _pair_of(registry["father"], registry["again"])
    assert pair.band == "probable" and pair.probability >= 0.9 and pair.decision == "open" and pair.run == run
    fields = {item["field"]: item for item in pair.explanation}
    assert fields["document_number"]["weight"] > 0 and fields["date_of_birth"]["level"]
    assert pair.person_a_id < pair.person_b_id
    # The twins were compared (the model alone gives them 0.93) and the siblings rule kept them apart.
    assert run.pairs_scored >= 6
    twins = sorted([registry["ali"].pk, registry["omar"].pk])
    assert not CandidatePair.objects.filter(person_a_id=twins[0], person_b_id=twins[1]).exists()
    assert not CandidatePair.objects.filter(probability__lt=run.review_threshold).exists()
    actions = set(AuditEvent.objects.filter(object_id=str(run.pk)).values_list("action", flat=True))
    assert actions == {"matching.run.start", "matching.run.finish"}
    # The learnt weights are kept with the run, for the live check to score with.
    learnt = Model.from_dict(run.model)
    assert learnt.iterations == run.model["iterations"] and 0 < learnt.prior < 1
    assert [list(m) for m in learnt.m] == run.model["m"]


def test_a_pair_decided_different_is_not_proposed_again(registry, clerk, operation, django_capture_on_commit_callbacks):
    _run(clerk, operation, django_capture_on_commit_callbacks)
    pair = _pair_of(registry["father"], registry["again"])
    officer = member_of(operation, "data_officer")  # person.merge: deciding on duplicates is not registering
    decide_pair(acting_user=officer, pair=pair, decision="different")
    count = CandidatePair.objects.count()
    second = _run(clerk, operation, django_capture_on_commit_callbacks)
    assert second.pairs_new == 0 and second.pairs_decided_different == 1
    assert CandidatePair.objects.count() == count
    pair.refresh_from_db()
    assert pair.decision == "different" and pair.decided_by == officer and pair.run_id != second.pk
    assert AuditEvent.objects.filter(action="matching.pair.decide", object_id=str(pair.pk)).exists()


def test_visibility_of_pairs(registry, clerk, operation, outsider, django_capture_on_commit_callbacks):
    _run(clerk, operation, django_capture_on_commit_callbacks)
    pair = _pair_of(registry["father"], registry["again"])
    elsewhere = member_of(operation, "registration_clerk", offices=[OfficeFactory(operation=operation)])
    assert CandidatePair.objects.visible_to(clerk).filter(pk=pair.pk).exists()
    assert not CandidatePair.objects.visible_to(outsider).exists()
    assert not CandidatePair.objects.visible_to(elsewhere).filter(pk=pair.pk).exists()
    assert MatchRun.objects.visible_to(clerk).count() == 1 and not MatchRun.objects.visible_to(outsider).exists()
    with pytest.raises(PermissionDenied):
        decide_pair(acting_user=outsider, pair=pair, decision="same")
    with pytest.raises(PermissionDenied):
        decide_pair(acting_user=elsewhere, pair=pair, decision="same")


def test_only_registrars_of_the_operation_start_a_run(registry, operation, outsider, other_operation):
    with pytest.raises(PermissionDenied):
        start_match_run(outsider, operation)
    with pytest.raises(PermissionDenied):
        start_match_run(member_of(operation, "data_protection_officer"), operation)
    foreign = RegistrationImport.objects.create(operation=other_operation, file="x.csv", filename="x.csv")
    with pytest.raises(ValidationError, match="another operation"):
        start_match_run(member_of(operation, "registration_clerk"), operation, foreign)
    assert not MatchRun.objects.exists() and not Job.objects.exists()


def test_an_import_run_keeps_pairs_with_its_people_and_holds_an_import_full_of_duplicates(
    registry, clerk, operation, django_capture_on_commit_callbacks
):
    MatchSettings.objects.create(
        operation=operation, probable_threshold=0.9, review_threshold=0.5, import_ceiling_share=0.5
    )
    imported = RegistrationImport.objects.create(operation=operation, file="x.csv", filename="x.csv")
    Person.objects.filter(pk=registry["again"].pk).update(source_import=imported)
    run = _run(clerk, operation, django_capture_on_commit_callbacks, imported)
    assert run.scope == "import" and run.state == RunState.DONE
    assert run.import_share == 1.0 and run.held_for_review is True and run.import_ceiling_share == 0.5
    again = registry["again"].pk
    stored = CandidatePair.objects.filter(run=run)
    assert stored.exists() and all(again in (p.person_a_id, p.person_b_id) for p in stored)


def test_a_run_over_an_empty_registry_finds_nothing(operation, clerk, django_capture_on_commit_callbacks):
    run = _run(clerk, operation, django_capture_on_commit_callbacks)
    assert (run.state, run.people_read, run.pairs_new) == (RunState.DONE, 0, 0)
    assert run.job.state == JobState.SUCCEEDED and not CandidatePair.objects.exists()


def test_an_administrator_sets_the_bands_and_later_runs_use_them(
    registry, clerk, operation, administrator, outsider, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        set_match_settings(
            acting_user=clerk,
            operation=operation,
            probable_threshold=0.8,
            review_threshold=0.3,
            import_ceiling_share=0.1,
        )
    with pytest.raises(PermissionDenied):
        set_match_settings(
            acting_user=outsider,
            operation=operation,
            probable_threshold=0.8,
            review_threshold=0.3,
            import_ceiling_share=0.1,
        )
    with pytest.raises(ValidationError) as refused:
        set_match_settings(
            acting_user=administrator,
            operation=operation,
            probable_threshold=0.6,
            review_threshold=0.7,
            import_ceiling_share=1.5,
        )
    assert set(refused.value.message_dict) == {"import_ceiling_share"}
    with pytest.raises(ValidationError) as refused:
        set_match_settings(
            acting_user=administrator,
            operation=operation,
            probable_threshold=0.6,
            review_threshold=0.7,
            import_ceiling_share=0.1,
        )
    assert set(refused.value.message_dict) == {"review_threshold"}
    set_match_settings(
        acting_user=administrator,
        operation=operation,
        probable_threshold=0.8,
        review_threshold=0.3,
        import_ceiling_share=0.1,
    )
    event = AuditEvent.objects.get(action="matching.settings.change")
    assert event.changes["probable_threshold"] == [None, 0.8]
    run = _run(clerk, operation, django_capture_on_commit_callbacks)
    assert (run.probable_threshold, run.review_threshold, run.import_ceiling_share) == (0.8, 0.3, 0.1)
