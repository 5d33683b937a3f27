"""Identification of a victim of trafficking, with the field names and picklists of IOM's Human Trafficking Case
Data Standard v2.0 (shared/reference/domain.md 7.2): the trafficking status and who decided it
(vic_TraffickingStatus, vic_TraffickingStatusDecisionMakingOrg), recruitment, exploitation, the means of control
and the perpetrators' roles (per_RoleInProcess). The screening (htcds_screening, htcds.py) comes before it; the
picklists they share are taken from it, so that both forms give the same value names."""

from __future__ import annotations

from passage.cases.xlsform.library import htcds
from passage.cases.xlsform.library._parts import (
    END_GROUP,
    END_REPEAT,
    Form,
    Row,
    calculate,
    choices,
    date_today,
    group,
    message,
    question,
    settings,
)

SHARED_LISTS = (
    "yes_no",
    "trafficking_status",
    "decision_org",
    "relationship",
    "recruitment",
    "control",
    "exploitation",
    "sex_exploitation",
)

SURVEY: list[Row] = [
    date_today("identification_date", "Date of identification", "تاريخ التعرّف"),
    group("status", "Trafficking status", "وضع الاتجار"),
    question(
        "select_one trafficking_status",
        "vic_TraffickingStatus",
        "Trafficking status",
        "وضع الاتجار",
        required="yes",
    ),
    question(
        "select_one decision_org",
        "vic_TraffickingStatusDecisionMakingOrg",
        "Who decided the status?",
        "من قرر هذا الوضع؟",
        required="yes",
    ),
    question(
        "text",
        "decision_org_name",
        "Name of the deciding organisation",
        "اسم الجهة التي قررت",
        required="yes",
    ),
    END_GROUP,
    group(
        "recruitment_group",
        "Recruitment",
        "التجنيد",
        relevant="${vic_TraffickingStatus} != 'NotAVictimOfTrafficking'",
    ),
    question(
        "integer",
        "vic_AgeWhenTrafficked",
        "Age when trafficked (years)",
        "العمر عند الاتجار (بالسنوات)",
        required="yes",
        constraint=". >= 0 and . <= 100",
        **message("Enter an age from 0 to 100.", "أدخل عمرًا من 0 إلى 100."),
    ),
    question(
        "select_one recruitment",
        "vic_MethodOfRecruitment",
        "How was the person recruited?",
        "كيف جرى تجنيد الشخص؟",
        required="yes",
    ),
    question(
        "select_multiple website",
        "vic_RecruitmentWebsitesAndApps",
        "Websites and apps used to recruit",
        "المواقع والتطبيقات المستخدمة في التجنيد",
        relevant="${vic_MethodOfRecruitment} = 'ThroughOnlineSocialNetworks' "
        "or ${vic_MethodOfRecruitment} = 'ThroughAnOnlineAdvertisement'",
        required="yes",
    ),
    question(
        "select_one relationship",
        "vic_RelationshipToTrafficker",
        "Relationship to the trafficker",
        "العلاقة بالمتاجر",
    ),
    question("text", "vic_LocationOfRecruitment", "Place of recruitment", "مكان التجنيد"),
    END_GROUP,
    group(
        "exploitation_group",
        "Exploitation",
        "الاستغلال",
        relevant="${vic_TraffickingStatus} != 'NotAVictimOfTrafficking'",
    ),
    question(
        "select_multiple exploitation",
        "vic_TypeOfExploitation",
        "Type of exploitation",
        "نوع الاستغلال",
        required="yes",
    ),
    question(
        "select_multiple sex_exploitation",
        "vic_TypeOfSexExploitation",
        "Type of sexual exploitation",
        "نوع الاستغلال الجنسي",
        relevant="selected(${vic_TypeOfExploitation}, 'SexualExploitation')",
        required="yes",
    ),
    question(
        "select_one industry",
        "vic_ForcedLabourIndustry",
        "Industry of the forced labour (ISIC Rev.4 section)",
        "قطاع العمل القسري (قسم التصنيف الصناعي الدولي، التنقيح 4)",
        relevant="selected(${vic_TypeOfExploitation}, 'ForcedLabour') "
        "or selected(${vic_TypeOfExploitation}, 'ChildLabour')",
        required="yes",
        appearance="minimal",
    ),
    question("text", "vic_LocationOfExploitation", "Place of exploitation", "مكان الاستغلال"),
    question(
        "select_multiple control",
        "vic_MethodsOfControl",
        "Means of control used",
        "وسائل السيطرة المستخدمة",
        required="yes",
    ),
    END_GROUP,
    question(
        "begin_repeat",
        "perpetrators",
        "Perpetrator",
        "الجاني",
        relevant="${vic_TraffickingStatus} != 'NotAVictimOfTrafficking'",
    ),
    question(
        "select_multiple per_role", "per_RoleInProcess", "Role in the trafficking", "الدور في الاتجار", required="yes"
    ),
    question("text", "per_Description", "What is known of this person", "ما هو معروف عن هذا الشخص"),
    END_REPEAT,
    calculate("score_control_methods", "count-selected(${vic_MethodsOfControl})"),
    calculate(
        "score_child_at_trafficking",
        "if(${vic_AgeWhenTrafficked} != '' and ${vic_AgeWhenTrafficked} < 18, 1, 0)",
    ),
    question(
        "select_one yes_no",
        "informed_of_rights",
        "Was the person told of their rights and the support on offer?",
        "هل أُبلغ الشخص بحقوقه وبالدعم المتاح؟",
        required="yes",
    ),
    question("text", "identification_note", "Caseworker's note", "ملاحظة مدير الحالة", appearance="multiline"),
]

CHOICES: list[Row] = [
    *(row for row in htcds.CHOICES if row["list_name"] in SHARED_LISTS),
    *choices(
        "website",
        [
            ("Facebook", "Facebook", "فيسبوك"),
            ("Instagram", "Instagram", "إنستغرام"),
            ("WhatsApp", "WhatsApp", "واتساب"),
            ("Telegram", "Telegram", "تيليغرام"),
            ("FacebookMessenger", "Facebook Messenger", "ماسنجر فيسبوك"),
            ("Viber", "Viber", "فايبر"),
            ("TikTok", "TikTok", "تيك توك"),
            ("Twitter", "Twitter", "تويتر"),
            ("Other", "Other", "أخرى"),
        ],
    ),
    *choices(
        "industry",
        [
            ("A", "A – Agriculture, forestry and fishing", "أ – الزراعة والحراجة وصيد الأسماك"),
            ("B", "B – Mining and quarrying", "ب – التعدين واستغلال المحاجر"),
            ("C", "C – Manufacturing", "ج – الصناعة التحويلية"),
            ("F", "F – Construction", "و – التشييد"),
            ("G", "G – Wholesale and retail trade", "ز – تجارة الجملة والتجزئة"),
            ("I", "I – Accommodation and food service", "ط – الإقامة وخدمات الطعام"),
            ("T", "T – Households as employers (domestic work)", "ع – الأسر المعيشية بصفتها صاحب عمل (العمل المنزلي)"),
            ("Other", "Other section", "قسم آخر"),
        ],
    ),
    *choices(
        "per_role",
        [
            ("RecruiterOrIntermediary", "Recruiter or intermediary", "مجنِّد أو وسيط"),
            ("Transporter", "Transporter", "ناقل"),
            ("BrokerTravelAgent", "Broker or travel agent", "سمسار أو وكيل سفر"),
            ("HarbouredIndividual", "Harboured the person", "آوى الشخص"),
            ("SoldIndividual", "Sold the person", "باع الشخص"),
            ("BoughtIndividual", "Bought the person", "اشترى الشخص"),
            ("ControlledIndividual", "Controlled the person", "سيطر على الشخص"),
            ("Exploiter", "Exploiter", "مستغِل"),
            ("Smuggler", "Smuggler", "مهرّب"),
            ("Other", "Other", "أخرى"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "htcds_identification": (
        SURVEY,
        CHOICES,
        settings(
            "htcds_identification",
            "Identification of a victim of trafficking (HTCDS)",
            "concat('Identification ', ${identification_date}, ' · ', ${vic_TraffickingStatus})",
        ),
    ),
}
