"""Names for the synthetic registry (passage.matching.synthetic): as written in their own script, with the
Latin spellings field staff produce, the usual one first. A fixed copy, so that the benchmark's data set does
not change when the demo registry's tables grow. Data, not code."""

from __future__ import annotations

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
