"""Name tables for the demo registry: names as written in their own script with the Latin spellings
field staff actually produce (several per name), by community, and how each community names people.
Data, not code.

Each table is a list of (as written, [Latin spellings]); the first spelling is the most common one and the
tables run from common names to rarer ones (the generator draws earlier entries more often)."""

from __future__ import annotations

from dataclasses import dataclass

Entry = tuple[str, list[str]]

ARABIC_MALE: list[Entry] = [
    ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mohammad"]),
    ("أحمد", ["Ahmed", "Ahmad", "Ahmet"]),
    ("علي", ["Ali", "Aly"]),
    ("حسين", ["Hussein", "Husain", "Hussain", "Hussien"]),
    ("عمر", ["Omar", "Umar"]),
    ("حسن", ["Hassan", "Hasan"]),
    ("خالد", ["Khaled", "Khalid"]),
    ("يوسف", ["Yousef", "Yusuf", "Youssef", "Yosef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah"]),
    ("عبد الرحمن", ["Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "Abdelrahman"]),
    ("مصطفى", ["Mustafa", "Moustafa", "Mostafa"]),
    ("محمود", ["Mahmoud", "Mahmood", "Mahmud"]),
    ("عباس", ["Abbas", "Abas"]),
    ("حيدر", ["Haider", "Hayder", "Haidar"]),
    ("جاسم", ["Jassim", "Jasim", "Jasem"]),
    ("قاسم", ["Qasim", "Kasim", "Qassem"]),
    ("كريم", ["Karim", "Kareem"]),
    ("جعفر", ["Jafar", "Jaafar", "Jaffar"]),
    ("مهدي", ["Mahdi", "Mehdi"]),
    ("سعد", ["Saad", "Sa'ad"]),
    ("كاظم", ["Kadhim", "Kazem", "Kazim"]),
    ("فاضل", ["Fadhil", "Fadel", "Fadil"]),
    ("سامي", ["Sami", "Samy"]),
    ("وليد", ["Walid", "Waleed"]),
    ("ياسر", ["Yasir", "Yasser", "Yaser"]),
    ("طارق", ["Tariq", "Tarek", "Tarik"]),
    ("رعد", ["Raad", "Ra'ad"]),
    ("عادل", ["Adel", "Adil"]),
    ("ماجد", ["Majid", "Majed"]),
    ("زياد", ["Ziad", "Ziyad"]),
    ("نبيل", ["Nabil", "Nabeel"]),
    ("عماد", ["Imad", "Emad"]),
    ("منصور", ["Mansour", "Mansur"]),
    ("سلمان", ["Salman"]),
    ("فراس", ["Firas", "Feras"]),
    ("هادي", ["Hadi", "Hady"]),
    ("إسماعيل", ["Ismail", "Ismael", "Esmail"]),
    ("سليمان", ["Sulaiman", "Suleiman", "Sulayman"]),
    ("عبد الكريم", ["Abdul Karim", "Abdulkarim", "Abd al-Karim"]),
    ("عبد العزيز", ["Abdul Aziz", "Abdulaziz"]),
]
ARABIC_FEMALE: list[Entry] = [
    ("فاطمة", ["Fatima", "Fatma", "Fatemah"]),
    ("زينب", ["Zainab", "Zaynab", "Zeinab"]),
    ("مريم", ["Maryam", "Mariam", "Meryem"]),
    ("نور", ["Noor", "Nour", "Nur"]),
    ("عائشة", ["Aisha", "Aysha", "Aicha"]),
    ("خديجة", ["Khadija", "Khadeeja", "Khadijah"]),
    ("هدى", ["Huda", "Hoda"]),
    ("سارة", ["Sara", "Sarah"]),
    ("ليلى", ["Layla", "Leila", "Laila"]),
    ("رقية", ["Ruqaya", "Roqaya", "Ruqayya"]),
    ("إيمان", ["Iman", "Eman"]),
    ("أمل", ["Amal"]),
    ("رنا", ["Rana"]),
    ("آمنة", ["Amina", "Amna", "Aminah"]),
    ("شيماء", ["Shaimaa", "Shayma", "Shaima"]),
    ("دعاء", ["Duaa", "Doaa", "Dua"]),
    ("هناء", ["Hanaa", "Hana"]),
    ("سعاد", ["Suad", "Souad"]),
    ("نادية", ["Nadia", "Nadiya"]),
    ("رشا", ["Rasha"]),
    ("سناء", ["Sanaa", "Sana"]),
    ("ابتسام", ["Ibtisam", "Ebtisam"]),
    ("وفاء", ["Wafaa", "Wafa"]),
    ("حنان", ["Hanan"]),
    ("غادة", ["Ghada"]),
]
ARABIC_FAMILY: list[Entry] = [
    ("الجبوري", ["Al-Jubouri", "Al Jubouri", "Aljubouri", "Jubouri"]),
    ("التميمي", ["Al-Tamimi", "Al Tamimi", "Tamimi"]),
    ("الدليمي", ["Al-Dulaimi", "Al Dulaimi", "Dulaimi"]),
    ("العبيدي", ["Al-Obaidi", "Al-Ubaidi", "Obaidi"]),
    ("الشمري", ["Al-Shammari", "Shammari"]),
    ("الربيعي", ["Al-Rubaie", "Al-Rubaiee", "Rubaie"]),
    ("العزاوي", ["Al-Azzawi", "Al Azawi", "Azzawi"]),
    ("الساعدي", ["Al-Saadi", "Al Saadi", "Saadi"]),
    ("الكعبي", ["Al-Kaabi", "Al Kaabi", "Kaabi"]),
    ("حداد", ["Haddad", "Hadad"]),
    ("صالح", ["Salih", "Saleh"]),
    ("الزبيدي", ["Al-Zubaidi", "Zubaidi"]),
    ("الخزرجي", ["Al-Khazraji", "Khazraji"]),
    ("البياتي", ["Al-Bayati", "Bayati"]),
    ("الحسيني", ["Al-Husseini", "Al-Hussaini", "Husseini"]),
    ("الموسوي", ["Al-Musawi", "Al-Moussawi", "Musawi"]),
    ("الخفاجي", ["Al-Khafaji", "Khafaji"]),
    ("السامرائي", ["Al-Samarrai", "Al-Samarraie", "Samarrai"]),
    ("الطائي", ["Al-Taie", "Al-Tai", "Taie"]),
    ("العنزي", ["Al-Anazi", "Al-Enezi", "Anazi"]),
    ("الحمداني", ["Al-Hamdani", "Hamdani"]),
    ("النعيمي", ["Al-Nuaimi", "Al-Naimi", "Nuaimi"]),
    ("الجنابي", ["Al-Janabi", "Janabi"]),
    ("الأسدي", ["Al-Asadi", "Asadi"]),
    ("علوان", ["Alwan", "Elwan"]),
    ("جبار", ["Jabbar", "Jabar"]),
]
DARI_PASHTO_MALE: list[Entry] = [
    ("محمد", ["Mohammad", "Muhammad", "Mohammed"]),
    ("احمد شاه", ["Ahmad Shah", "Ahmadshah"]),
    ("گل محمد", ["Gul Mohammad", "Gulmohammad"]),
    ("نجیب الله", ["Najibullah", "Najeebullah", "Najib Ullah"]),
    ("عبدالرحیم", ["Abdul Rahim", "Abdulrahim", "Abdurrahim"]),
    ("نور احمد", ["Noor Ahmad", "Nur Ahmad", "Noorahmad"]),
    ("فرید", ["Farid", "Fareed"]),
    ("ذبیح الله", ["Zabihullah", "Zabiullah"]),
    ("حمید", ["Hamid", "Hameed"]),
    ("سید", ["Sayed", "Sayyid", "Said"]),
    ("جاوید", ["Javid", "Jawid", "Javed"]),
    ("میرویس", ["Mirwais", "Mirwaiz"]),
    ("رحمت الله", ["Rahmatullah", "Rahmatulla"]),
    ("عزیز", ["Aziz", "Azeez"]),
    ("شفیق", ["Shafiq", "Shafeeq"]),
    ("قدرت الله", ["Qudratullah", "Kudratullah"]),
    ("حبیب الله", ["Habibullah", "Habibulla"]),
    ("ولی", ["Wali", "Vali"]),
    ("فضل", ["Fazal", "Fazl"]),
]
DARI_PASHTO_FEMALE: list[Entry] = [
    ("زهرا", ["Zahra", "Zahraa"]),
    ("فاطمه", ["Fatima", "Fatema", "Fatemeh"]),
    ("مریم", ["Maryam", "Mariam"]),
    ("مرسل", ["Mursal"]),
    ("پروانه", ["Parwana", "Parvaneh"]),
    ("شکیلا", ["Shakila", "Shakeela"]),
    ("فریبا", ["Fariba", "Fareeba"]),
    ("لیلما", ["Lailuma", "Lailoma"]),
    ("نسرین", ["Nasrin", "Nasreen"]),
    ("گلالی", ["Gulalai", "Gulalay"]),
    ("ملالی", ["Malalai", "Malalay"]),
    ("فرزانه", ["Farzana", "Farzaneh"]),
    ("شبنم", ["Shabnam"]),
    ("سیما", ["Sima", "Seema"]),
    ("هما", ["Homa", "Huma"]),
]
DARI_PASHTO_FAMILY: list[Entry] = [
    ("احمدزی", ["Ahmadzai", "Ahmadzay"]),
    ("محمدی", ["Mohammadi", "Muhammadi"]),
    ("رحیمی", ["Rahimi", "Raheemi"]),
    ("حیدری", ["Haidari", "Haydari"]),
    ("پوپلزی", ["Popalzai", "Popalzay"]),
    ("نوری", ["Noori", "Nuri"]),
    ("صافی", ["Safi"]),
    ("کریمی", ["Karimi", "Karemi"]),
    ("امیری", ["Amiri", "Ameeri"]),
    ("یوسفزی", ["Yousafzai", "Yusufzai"]),
    ("سلطانی", ["Sultani", "Soltani"]),
    ("وردک", ["Wardak", "Wardag"]),
    ("عثمانی", ["Usmani", "Osmani"]),
]
# Somali is written in Latin letters (x for ḥ, c for ʿ, doubled vowels); the other spellings are the English-style
# ones staff of other agencies write.
SOMALI_MALE: list[Entry] = [
    ("Maxamed", ["Maxamed", "Mohamed", "Mahamed", "Mohammed"]),
    ("Axmed", ["Axmed", "Ahmed"]),
    ("Cabdi", ["Cabdi", "Abdi"]),
    ("Xasan", ["Xasan", "Hassan"]),
    ("Cali", ["Cali", "Ali"]),
    ("Cumar", ["Cumar", "Omar", "Umar"]),
    ("Yuusuf", ["Yuusuf", "Yusuf"]),
    ("Cabdullaahi", ["Cabdullaahi", "Abdullahi"]),
    ("Ibraahim", ["Ibraahim", "Ibrahim"]),
    ("Cismaan", ["Cismaan", "Osman", "Usman"]),
    ("Xuseen", ["Xuseen", "Hussein", "Hussen"]),
    ("Faarax", ["Faarax", "Farah"]),
    ("Jaamac", ["Jaamac", "Jama"]),
    ("Warsame", ["Warsame"]),
    ("Aadan", ["Aadan", "Adan", "Aden"]),
    ("Muuse", ["Muuse", "Musa", "Mousa"]),
    ("Nuur", ["Nuur", "Nur", "Noor"]),
    ("Khaliif", ["Khaliif", "Khalif"]),
    ("Guuleed", ["Guuleed", "Guled"]),
    ("Siyaad", ["Siyaad", "Siad"]),
]
SOMALI_FEMALE: list[Entry] = [
    ("Faadumo", ["Faadumo", "Fadumo", "Fatuma"]),
    ("Xaliimo", ["Xaliimo", "Halimo"]),
    ("Caasha", ["Caasha", "Asha", "Aisha"]),
    ("Maryan", ["Maryan", "Mariam", "Maryam"]),
    ("Hodan", ["Hodan"]),
    ("Ayaan", ["Ayaan", "Ayan"]),
    ("Sahra", ["Sahra", "Sahro"]),
    ("Khadra", ["Khadra", "Kadra"]),
    ("Nimco", ["Nimco", "Nimo"]),
    ("Ubax", ["Ubax", "Ubah"]),
    ("Sagal", ["Sagal"]),
    ("Hibo", ["Hibo", "Hiba"]),
    ("Ifrah", ["Ifrah", "Ifra"]),
    ("Deeqa", ["Deeqa", "Deka"]),
    ("Ikraan", ["Ikraan", "Ikran"]),
]
# Somali names have no family name: a person is their given name, their father's and their grandfather's. These
# are the names that most often end a Somali name chain (kept for callers of the earlier tables).
SOMALI_FAMILY: list[Entry] = [
    entry for entry in SOMALI_MALE if entry[0] in {"Cabdullaahi", "Warsame", "Jaamac", "Faarax"}
]
TIGRINYA_MALE: list[Entry] = [
    ("ገብረመድህን", ["Gebremedhin", "G/Medhin", "Gebre Medhin"]),
    ("ተስፋይ", ["Tesfay", "Tesfai"]),
    ("ዳዊት", ["Dawit", "Dawitt"]),
    ("ሙሴ", ["Muse", "Musie"]),
    ("ዮናስ", ["Yonas", "Jonas"]),
    ("ሳሙኤል", ["Samuel", "Samiel"]),
    ("ብርሃነ", ["Berhane", "Birhane", "Berhan"]),
    ("ኪዳነ", ["Kidane", "Kidan"]),
    ("ገብረሕይወት", ["Gebrehiwet", "G/Hiwet", "Gebre Hiwet"]),
    ("መሓሪ", ["Mehari", "Mhari"]),
    ("ፍስሃ", ["Fsaha", "Fisseha", "Fesseha"]),
    ("ሃብተ", ["Habte", "Habtay"]),
    ("ዮውሃንስ", ["Yohannes", "Yohanes"]),
    ("ኣማኑኤል", ["Amanuel", "Emmanuel"]),
    ("ሰመረ", ["Semere", "Semre"]),
    ("ኣብርሃም", ["Abraham", "Abrham"]),
]
TIGRINYA_FEMALE: list[Entry] = [
    ("ሳባ", ["Saba"]),
    ("ሄለን", ["Helen"]),
    ("ትርሓስ", ["Tirhas", "Tirhass"]),
    ("ሉላ", ["Lula"]),
    ("ሰላም", ["Selam", "Salam"]),
    ("ፍረወይኒ", ["Freweyni", "Frewoini", "Freweini"]),
    ("ኤልሳ", ["Elsa"]),
    ("ዮርዳኖስ", ["Yordanos", "Yordanus"]),
    ("ሃና", ["Hana", "Hanna"]),
    ("ብርኽቲ", ["Brikti", "Birikti"]),
    ("ሉዋም", ["Luwam", "Luam"]),
    ("ሰናይት", ["Senait", "Senayt"]),
    ("ኣስመረት", ["Asmeret", "Asmerat"]),
    ("ጽጌ", ["Tsige", "Tsighe"]),
]
# Like Somali, Tigrinya names chain given name, father's name and grandfather's name; these names often stand last.
TIGRINYA_FAMILY: list[Entry] = [
    ("ገብረሚካኤል", ["Gebremichael", "G/Michael", "Gebre Michael"]),
    ("ተኽለ", ["Tekle", "Tekleh"]),
    ("ሃይለ", ["Haile", "Hayle"]),
    ("በየነ", ["Beyene", "Beyne"]),
]
UKRAINIAN_MALE: list[Entry] = [
    ("Олександр", ["Oleksandr", "Aleksandr", "Olexandr"]),
    ("Андрій", ["Andrii", "Andriy", "Andrey"]),
    ("Сергій", ["Serhii", "Sergiy", "Sergey"]),
    ("Дмитро", ["Dmytro", "Dmitry", "Dmitriy"]),
    ("Микола", ["Mykola", "Nikolai"]),
    ("Іван", ["Ivan"]),
    ("Володимир", ["Volodymyr", "Vladimir"]),
    ("Юрій", ["Yurii", "Yuriy", "Yuri"]),
    ("Василь", ["Vasyl", "Vasiliy", "Vasily"]),
    ("Олег", ["Oleh", "Oleg"]),
    ("Віктор", ["Viktor", "Victor"]),
    ("Максим", ["Maksym", "Maxim", "Maksim"]),
    ("Богдан", ["Bohdan", "Bogdan"]),
    ("Тарас", ["Taras"]),
    ("Ігор", ["Ihor", "Igor"]),
]
UKRAINIAN_FEMALE: list[Entry] = [
    ("Олена", ["Olena", "Elena"]),
    ("Наталія", ["Nataliia", "Natalia", "Natalya"]),
    ("Юлія", ["Yuliia", "Yulia", "Iuliia"]),
    ("Ірина", ["Iryna", "Irina"]),
    ("Оксана", ["Oksana"]),
    ("Тетяна", ["Tetiana", "Tatiana", "Tetyana"]),
    ("Світлана", ["Svitlana", "Svetlana"]),
    ("Марія", ["Mariia", "Maria", "Mariya"]),
    ("Анна", ["Anna", "Ana"]),
    ("Катерина", ["Kateryna", "Ekaterina", "Katerina"]),
    ("Людмила", ["Liudmyla", "Lyudmila", "Ludmila"]),
    ("Вікторія", ["Viktoriia", "Victoria", "Viktoria"]),
    ("Галина", ["Halyna", "Galina"]),
    ("Софія", ["Sofiia", "Sofia", "Sofiya"]),
]
UKRAINIAN_FAMILY: list[Entry] = [
    ("Шевченко", ["Shevchenko"]),
    ("Коваленко", ["Kovalenko"]),
    ("Бондаренко", ["Bondarenko"]),
    ("Ткаченко", ["Tkachenko"]),
    ("Кравченко", ["Kravchenko"]),
    ("Мельник", ["Melnyk", "Melnik"]),
    ("Олійник", ["Oliinyk", "Oliynyk", "Oleinik"]),
    ("Шевчук", ["Shevchuk"]),
    ("Бойко", ["Boiko", "Boyko"]),
    ("Поліщук", ["Polishchuk", "Polischuk"]),
    ("Лисенко", ["Lysenko", "Lisenko"]),
    ("Ткачук", ["Tkachuk"]),
    ("Руденко", ["Rudenko"]),
    ("Савченко", ["Savchenko"]),
    ("Марченко", ["Marchenko"]),
    ("Мороз", ["Moroz"]),
    ("Петренко", ["Petrenko"]),
    ("Ковальчук", ["Kovalchuk"]),
]


@dataclass(frozen=True)
class Community:
    """Who the demo registers: names, how names are put together, where they come from, what they carry.

    naming: "four_parts" (given, father, grandfather, family: Iraqi and Syrian Arabic), "chain" (given,
    father, grandfather and no family name: Somali, Tigrinya), "father" (given and father's name, a tribal or
    family name in about half the households: Dari and Pashto), "family" (given and family name: Ukrainian).
    """

    share: float
    male: list[Entry]
    female: list[Entry]
    family: list[Entry]
    naming: str
    nationalities: tuple[tuple[str, float], ...]  # (ISO 3166 code, share)
    languages: tuple[str, ...]  # ISO 639
    home_phone: str  # the home country's phone numbering (PHONE_PLANS), for those who kept their number
    household_sizes: tuple[int, ...]  # drawn uniformly: repeats weight a size


COMMUNITIES: dict[str, Community] = {
    "arabic": Community(
        0.55,
        ARABIC_MALE,
        ARABIC_FEMALE,
        ARABIC_FAMILY,
        "four_parts",
        (("IQ", 0.85), ("SY", 0.15)),
        ("ar",),
        "IQ",
        (1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9),
    ),
    "dari_pashto": Community(
        0.12,
        DARI_PASHTO_MALE,
        DARI_PASHTO_FEMALE,
        DARI_PASHTO_FAMILY,
        "father",
        (("AF", 1.0),),
        ("prs", "ps"),
        "AF",
        (1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8),
    ),
    "somali": Community(
        0.12,
        SOMALI_MALE,
        SOMALI_FEMALE,
        [],
        "chain",
        (("SO", 1.0),),
        ("so",),
        "SO",
        (1, 1, 2, 3, 4, 4, 5, 5, 6, 7, 8),
    ),
    "tigrinya": Community(
        0.11,
        TIGRINYA_MALE + TIGRINYA_FAMILY,
        TIGRINYA_FEMALE,
        [],
        "chain",
        (("ER", 1.0),),
        ("ti",),
        "ER",
        (1, 1, 1, 2, 2, 3, 3, 4, 5),
    ),
    "ukrainian": Community(
        0.10,
        UKRAINIAN_MALE,
        UKRAINIAN_FEMALE,
        UKRAINIAN_FAMILY,
        "family",
        (("UA", 1.0),),
        ("uk",),
        "UA",
        (1, 1, 2, 2, 2, 3, 3, 4),
    ),
}

# Mobile numbering: country calling code, trunk prefix written before national numbers, mobile prefixes, how
# many digits follow the prefix, and how the national significant number is grouped when written with spaces.
PHONE_PLANS: dict[str, tuple[str, str, tuple[str, ...], int, tuple[int, ...]]] = {
    "IQ": ("964", "0", ("750", "751", "770", "771", "772", "780", "781", "790"), 7, (3, 3, 4)),
    "AF": ("93", "0", ("70", "72", "77", "78", "79"), 7, (2, 3, 4)),
    "SO": ("252", "", ("61", "62", "63", "90"), 7, (2, 3, 4)),
    "ER": ("291", "0", ("7",), 6, (1, 3, 3)),
    "UA": ("380", "0", ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"), 7, (2, 3, 4)),
}
