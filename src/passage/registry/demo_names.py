"""Name tables for the demo registry: names as written in their own script with the Latin spellings
field staff actually produce (several per name), by community. Data, not code."""

from __future__ import annotations

# (as written, [Latin spellings]) — the first spelling is the most common one.
ARABIC_MALE = [
    ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mohammad"]),
    ("أحمد", ["Ahmed", "Ahmad", "Ahmet"]),
    ("علي", ["Ali", "Aly"]),
    ("حسين", ["Hussein", "Husain", "Hussain", "Hussien"]),
    ("عمر", ["Omar", "Umar"]),
    ("خالد", ["Khaled", "Khalid"]),
    ("يوسف", ["Yousef", "Yusuf", "Youssef", "Yosef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim"]),
    ("عبد الرحمن", ["Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "Abdelrahman"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah"]),
    ("مصطفى", ["Mustafa", "Moustafa", "Mostafa"]),
    ("حسن", ["Hassan", "Hasan"]),
    ("كريم", ["Karim", "Kareem"]),
    ("سامي", ["Sami", "Samy"]),
    ("جاسم", ["Jassim", "Jasim", "Jasem"]),
]
ARABIC_FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatemah"]),
    ("زينب", ["Zainab", "Zaynab", "Zeinab"]),
    ("مريم", ["Maryam", "Mariam", "Meryem"]),
    ("نور", ["Noor", "Nour", "Nur"]),
    ("عائشة", ["Aisha", "Aysha", "Aicha"]),
    ("هدى", ["Huda", "Hoda"]),
    ("سارة", ["Sara", "Sarah"]),
    ("ليلى", ["Layla", "Leila", "Laila"]),
    ("أمل", ["Amal"]),
    ("رنا", ["Rana"]),
]
ARABIC_FAMILY = [
    ("الجبوري", ["Al-Jubouri", "Al Jubouri", "Aljubouri", "Jubouri"]),
    ("التميمي", ["Al-Tamimi", "Al Tamimi", "Tamimi"]),
    ("الدليمي", ["Al-Dulaimi", "Al Dulaimi", "Dulaimi"]),
    ("العبيدي", ["Al-Obaidi", "Al-Ubaidi", "Obaidi"]),
    ("الشمري", ["Al-Shammari", "Shammari"]),
    ("حداد", ["Haddad", "Hadad"]),
    ("صالح", ["Salih", "Saleh"]),
    ("الزبيدي", ["Al-Zubaidi", "Zubaidi"]),
    ("الخزرجي", ["Al-Khazraji", "Khazraji"]),
    ("البياتي", ["Al-Bayati", "Bayati"]),
]
DARI_PASHTO_MALE = [
    ("احمد شاه", ["Ahmad Shah", "Ahmadshah"]),
    ("گل محمد", ["Gul Mohammad", "Gulmohammad"]),
    ("نجیب الله", ["Najibullah", "Najeebullah", "Najib Ullah"]),
    ("فرید", ["Farid", "Fareed"]),
    ("ذبیح الله", ["Zabihullah", "Zabiullah"]),
    ("حمید", ["Hamid", "Hameed"]),
]
DARI_PASHTO_FEMALE = [
    ("زهرا", ["Zahra", "Zahraa"]),
    ("مرسل", ["Mursal"]),
    ("پروانه", ["Parwana", "Parvaneh"]),
    ("شکیلا", ["Shakila", "Shakeela"]),
]
DARI_PASHTO_FAMILY = [
    ("احمدزی", ["Ahmadzai", "Ahmadzay"]),
    ("پوپلزی", ["Popalzai", "Popalzay"]),
    ("هزاره", ["Hazara"]),
    ("نوری", ["Noori", "Nuri"]),
    ("صافی", ["Safi"]),
]
SOMALI_MALE = [
    ("Maxamed", ["Maxamed", "Mohamed", "Mohamud", "Mahamed"]),
    ("Cabdi", ["Cabdi", "Abdi"]),
    ("Xasan", ["Xasan", "Hassan"]),
    ("Cali", ["Cali", "Ali"]),
    ("Yuusuf", ["Yuusuf", "Yusuf"]),
]
SOMALI_FEMALE = [
    ("Faadumo", ["Faadumo", "Fadumo", "Fatuma"]),
    ("Xaliimo", ["Xaliimo", "Halimo"]),
    ("Hodan", ["Hodan"]),
    ("Ayaan", ["Ayaan", "Ayan"]),
]
SOMALI_FAMILY = [
    ("Cabdullaahi", ["Cabdullaahi", "Abdullahi"]),
    ("Warsame", ["Warsame"]),
    ("Jaamac", ["Jaamac", "Jama"]),
    ("Faarax", ["Faarax", "Farah"]),
]
TIGRINYA_MALE = [
    ("ገብረመድህን", ["Gebremedhin", "G/Medhin", "Gebre Medhin"]),
    ("ተስፋይ", ["Tesfay", "Tesfai"]),
    ("ዳዊት", ["Dawit", "Dawitt"]),
    ("ሙሴ", ["Muse", "Musie"]),
]
TIGRINYA_FEMALE = [
    ("ሳባ", ["Saba"]),
    ("ሄለን", ["Helen"]),
    ("ትርሓስ", ["Tirhas", "Tirhass"]),
    ("ሉላ", ["Lula"]),
]
TIGRINYA_FAMILY = [
    ("ገብረሚካኤል", ["Gebremichael", "G/Michael", "Gebre Michael"]),
    ("ተኽለ", ["Tekle", "Tekleh"]),
    ("ሃይለ", ["Haile", "Hailay"]),
    ("በየነ", ["Beyene", "Biniam"]),
]
UKRAINIAN_MALE = [
    ("Олександр", ["Oleksandr", "Aleksandr", "Olexandr"]),
    ("Андрій", ["Andrii", "Andriy", "Andrey"]),
    ("Сергій", ["Serhii", "Sergiy", "Sergey"]),
    ("Микола", ["Mykola", "Nikolai"]),
]
UKRAINIAN_FEMALE = [
    ("Олена", ["Olena", "Elena", "Olena"]),
    ("Наталія", ["Nataliia", "Natalia", "Natalya"]),
    ("Юлія", ["Yuliia", "Yulia", "Iuliia"]),
    ("Ірина", ["Iryna", "Irina"]),
]
UKRAINIAN_FAMILY = [
    ("Шевченко", ["Shevchenko"]),
    ("Коваленко", ["Kovalenko"]),
    ("Бондаренко", ["Bondarenko"]),
    ("Ткаченко", ["Tkachenko"]),
    ("Мельник", ["Melnyk", "Melnik"]),
]

# community: (share, male names, female names, family names, nationality, phone country code, names in parts?)
COMMUNITIES = {
    "arabic": (0.55, ARABIC_MALE, ARABIC_FEMALE, ARABIC_FAMILY, "IQ", "964", True),
    "dari_pashto": (0.12, DARI_PASHTO_MALE, DARI_PASHTO_FEMALE, DARI_PASHTO_FAMILY, "AF", "93", False),
    "somali": (0.12, SOMALI_MALE, SOMALI_FEMALE, SOMALI_FAMILY, "SO", "252", True),
    "tigrinya": (0.11, TIGRINYA_MALE, TIGRINYA_FEMALE, TIGRINYA_FAMILY, "ER", "291", True),
    "ukrainian": (0.10, UKRAINIAN_MALE, UKRAINIAN_FEMALE, UKRAINIAN_FAMILY, "UA", "380", False),
}
