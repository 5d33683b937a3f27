"""Counter-trafficking screening with the field names and picklists of IOM's Human Trafficking Case Data
Standard v2.0 (shared/reference/domain.md 7.2): consent, person (prs_), victim context (vic_), historic
trafficking events (hte_, a repeat) and the individual/household/community risk questions that replaced
HTCDS v1's flat vulnerability list. Choice names are HTCDS's value names, so exports line up with the
standard and with CTDC's flattened layout."""

from __future__ import annotations

EN, AR = "English (en)", "Arabic (ar)"


def _label(en: str, ar: str) -> dict[str, str]:
    return {f"label::{EN}": en, f"label::{AR}": ar}


def _choices(list_name: str, items: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"list_name": list_name, "name": name, **_label(en, ar)} for name, en, ar in items]


SURVEY: list[dict[str, str]] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {
        "type": "note",
        "name": "consent_script",
        **_label(
            "Explain who we are, why we ask, who will see the answers and that the person may stop at any time.",
            "اشرح من نحن ولماذا نسأل ومن سيطّلع على الإجابات وأن بإمكان الشخص التوقف في أي وقت.",
        ),
    },
    {
        "type": "select_one yes_no",
        "name": "con_Consent",
        **_label(
            "Has the person given informed consent to this screening?", "هل أعطى الشخص موافقته المستنيرة على هذا الفحص؟"
        ),
        "required": "yes",
    },
    {"type": "begin_group", "name": "screening", **_label("Screening", "الفحص"), "relevant": "${con_Consent} = 'yes'"},
    {"type": "begin_group", "name": "person", **_label("Person", "الشخص")},
    {"type": "select_one gender", "name": "prs_Gender", **_label("Gender", "النوع الاجتماعي"), "required": "yes"},
    {
        "type": "integer",
        "name": "prs_Age",
        **_label("Age (years)", "العمر (بالسنوات)"),
        "constraint": ". >= 0 and . <= 120",
        f"constraint_message::{EN}": "Enter an age from 0 to 120.",
        f"constraint_message::{AR}": "أدخل عمرًا من 0 إلى 120.",
    },
    {"type": "select_one marital", "name": "prs_MaritalStatus", **_label("Marital status", "الحالة الاجتماعية")},
    {
        "type": "text",
        "name": "prs_Citizenship",
        **_label("Citizenship", "الجنسية"),
        f"hint::{EN}": "ISO 3166 two-letter codes, separated by spaces (for example ET SO).",
        f"hint::{AR}": "رموز ISO 3166 المكونة من حرفين، تفصل بينها مسافات (مثل ET SO).",
        "constraint": "regex(., '^[A-Z]{2}( [A-Z]{2})*$')",
        f"constraint_message::{EN}": "Use two-letter country codes in capitals, separated by spaces.",
        f"constraint_message::{AR}": "استخدم رموز البلدان المكونة من حرفين كبيرين، تفصل بينها مسافات.",
    },
    {"type": "end_group"},
    {"type": "begin_group", "name": "victim", **_label("Trafficking situation", "حالة الاتجار")},
    {
        "type": "select_one trafficking_status",
        "name": "vic_TraffickingStatus",
        **_label("Trafficking status", "وضع الاتجار"),
        "required": "yes",
    },
    {
        "type": "select_one decision_org",
        "name": "vic_TraffickingStatusDecisionMakingOrg",
        **_label("Who decided the status?", "من حدّد هذا الوضع؟"),
        "relevant": "${vic_TraffickingStatus} != 'PossibleVictimOfTrafficking'",
    },
    {
        "type": "integer",
        "name": "vic_AgeWhenTrafficked",
        **_label("Age when trafficked", "العمر عند الاتجار"),
        "constraint": ". >= 0 and (${prs_Age} = '' or . <= ${prs_Age})",
        f"constraint_message::{EN}": "Cannot be more than the person's age today.",
        f"constraint_message::{AR}": "لا يمكن أن يتجاوز عمر الشخص الحالي.",
    },
    {
        "type": "calculate",
        "name": "vic_WasChild",
        "calculation": "if(${vic_AgeWhenTrafficked} = '', '', ${vic_AgeWhenTrafficked} < 18)",
    },
    {
        "type": "select_one relationship",
        "name": "vic_RelationshipToTrafficker",
        **_label("Relationship to the trafficker", "العلاقة بالمتاجر"),
    },
    {
        "type": "select_one recruitment",
        "name": "vic_MethodOfRecruitment",
        **_label("How was the person recruited?", "كيف جرى تجنيد الشخص؟"),
    },
    {
        "type": "select_multiple control",
        "name": "vic_MethodsOfControl",
        **_label("Methods of control", "أساليب السيطرة"),
    },
    {
        "type": "select_multiple exploitation",
        "name": "vic_TypeOfExploitation",
        **_label("Types of exploitation", "أنواع الاستغلال"),
        "required": "yes",
    },
    {
        "type": "select_multiple sex_exploitation",
        "name": "vic_TypeOfSexExploitation",
        **_label("Types of sexual exploitation", "أنواع الاستغلال الجنسي"),
        "relevant": "selected(${vic_TypeOfExploitation}, 'SexualExploitation')",
    },
    {
        "type": "text",
        "name": "vic_ForcedLabourIndustry",
        **_label("Industry of forced labour", "قطاع العمل القسري"),
        f"hint::{EN}": "ISIC Rev.4 section letter, A to U.",
        f"hint::{AR}": "حرف القسم في التصنيف ISIC الإصدار 4، من A إلى U.",
        "relevant": "selected(${vic_TypeOfExploitation}, 'ForcedLabour')",
        "constraint": "regex(., '^[A-U]$')",
        f"constraint_message::{EN}": "One capital letter from A to U.",
        f"constraint_message::{AR}": "حرف كبير واحد من A إلى U.",
    },
    {"type": "end_group"},
    {"type": "begin_repeat", "name": "hte_Events", **_label("Trafficking events", "أحداث الاتجار")},
    {"type": "select_one event_type", "name": "hte_Type", **_label("Event", "الحدث"), "required": "yes"},
    {
        "type": "date",
        "name": "hte_Date",
        **_label("Date", "التاريخ"),
        "constraint": ". <= today()",
        f"constraint_message::{EN}": "The date cannot be in the future.",
        f"constraint_message::{AR}": "لا يمكن أن يكون التاريخ في المستقبل.",
    },
    {"type": "text", "name": "hte_Location", **_label("Place", "المكان")},
    {"type": "geopoint", "name": "hte_Geo", **_label("Location on the map", "الموقع على الخريطة")},
    {"type": "text", "name": "hte_Description", **_label("What happened", "ما الذي حدث"), "appearance": "multiline"},
    {"type": "end_repeat"},
    {"type": "calculate", "name": "hte_Count", "calculation": "count(${hte_Events})"},
    {"type": "begin_group", "name": "risk", **_label("Risk and vulnerability", "المخاطر والهشاشة")},
    {
        "type": "select_one yes_no_unknown",
        "name": "ras_IndividualIdentityRisk",
        **_label(
            "Is the individual's nationality, race or ethnicity a risk factor in this context?",
            "هل تشكل جنسية الفرد أو عرقه أو إثنيته عامل خطر في هذا السياق؟",
        ),
    },
    {
        "type": "select_one yes_no_unknown",
        "name": "ras_HouseholdIncomeRisk",
        **_label("Is the household's source of income a risk factor?", "هل يشكل مصدر دخل الأسرة عامل خطر؟"),
    },
    {
        "type": "select_one yes_no_unknown",
        "name": "ras_CommunityLawEnforcementRisk",
        **_label(
            "Is the community's access to appropriate law enforcement a risk factor?",
            "هل يشكل وصول المجتمع إلى جهات إنفاذ القانون المناسبة عامل خطر؟",
        ),
    },
    {"type": "end_group"},
    {
        "type": "calculate",
        "name": "score_risk_flags",
        "calculation": "if(${ras_IndividualIdentityRisk} = 'yes', 1, 0)"
        " + if(${ras_HouseholdIncomeRisk} = 'yes', 1, 0) + if(${ras_CommunityLawEnforcementRisk} = 'yes', 1, 0)",
    },
    {"type": "calculate", "name": "score_control_methods", "calculation": "count-selected(${vic_MethodsOfControl})"},
    {"type": "end_group"},
]

CHOICES: list[dict[str, str]] = [
    *_choices("yes_no", [("yes", "Yes", "نعم"), ("no", "No", "لا")]),
    *_choices("yes_no_unknown", [("yes", "Yes", "نعم"), ("no", "No", "لا"), ("unknown", "Unknown", "غير معروف")]),
    *_choices(
        "gender",
        [
            ("Feminine", "Feminine", "أنثى"),
            ("Masculine", "Masculine", "ذكر"),
            ("TransgenderFeminine", "Transgender feminine", "عابرة جنسيًا (أنثى)"),
            ("TransgenderMasculine", "Transgender masculine", "عابر جنسيًا (ذكر)"),
            ("NonConforming", "Gender non-conforming", "غير ملتزم بالأدوار الجندرية"),
            ("NonSpecifiedUnknown", "Not specified or unknown", "غير محدد أو غير معروف"),
        ],
    ),
    *_choices(
        "marital",
        [
            ("Single", "Single", "أعزب/عزباء"),
            ("Married", "Married", "متزوج/متزوجة"),
            ("Widowed", "Widowed", "أرمل/أرملة"),
            ("Divorced", "Divorced", "مطلق/مطلقة"),
            ("Separated", "Separated", "منفصل/منفصلة"),
            ("RegisteredPartnership", "Registered partnership", "شراكة مسجلة"),
        ],
    ),
    *_choices(
        "trafficking_status",
        [
            ("PossibleVictimOfTrafficking", "Possible victim of trafficking", "ضحية محتملة للاتجار"),
            ("ActualVictimOfTrafficking", "Identified victim of trafficking", "ضحية اتجار مؤكدة"),
            ("NotAVictimOfTrafficking", "Not a victim of trafficking", "ليس ضحية اتجار"),
        ],
    ),
    *_choices(
        "decision_org",
        [
            ("Police", "Police", "الشرطة"),
            ("NGO", "Non-governmental organisation", "منظمة غير حكومية"),
            ("CourtOrProsecution", "Court or prosecution", "المحكمة أو النيابة العامة"),
            ("NonPoliceGovernmentalOrganization", "Government body other than the police", "جهة حكومية غير الشرطة"),
            ("Other", "Other", "أخرى"),
        ],
    ),
    *_choices(
        "relationship",
        [
            ("Familial", "Family member", "فرد من العائلة"),
            ("Acquainted", "Someone known", "شخص معروف"),
            ("Unaquainted", "A stranger", "شخص غريب"),
        ],
    ),
    *_choices(
        "recruitment",
        [
            ("AtAPlaceOfBusiness", "At a place of business", "في مكان عمل تجاري"),
            ("AtAnEducationalInstitution", "At an educational institution", "في مؤسسة تعليمية"),
            ("AtWork", "At work", "في العمل"),
            ("ThroughOnlineSocialNetworks", "Through online social networks", "عبر شبكات التواصل الاجتماعي"),
            ("ThroughAnOnlineAdvertisement", "Through an online advertisement", "عبر إعلان على الإنترنت"),
            ("ThroughATelevisionAdvert", "Through a television advertisement", "عبر إعلان تلفزيوني"),
            ("ThroughANewspaperAdvert", "Through a newspaper advertisement", "عبر إعلان في صحيفة"),
            ("ThroughFamilyOrFamilyEvents", "Through family or family events", "عبر العائلة أو المناسبات العائلية"),
            (
                "ThroughFriendsOrSocialEvents",
                "Through friends or social events",
                "عبر الأصدقاء أو المناسبات الاجتماعية",
            ),
            ("Other", "Other", "أخرى"),
        ],
    ),
    *_choices(
        "control",
        [
            ("PhysicalThreats", "Physical threats", "تهديدات جسدية"),
            ("ThreatsLawEnforcement", "Threats of law enforcement action", "التهديد بإجراءات من جهات إنفاذ القانون"),
            ("ThreatensChildrenFamily", "Threats to children or family", "تهديد الأطفال أو العائلة"),
            ("DebtBondage", "Debt bondage", "عبودية الدين"),
            ("FalsePromises", "False promises", "وعود كاذبة"),
            ("PhysicalAbuse", "Physical abuse", "إساءة جسدية"),
            ("SexualAbuse", "Sexual abuse", "إساءة جنسية"),
            ("TakesEarnings", "Takes earnings", "الاستيلاء على الأجور"),
            ("RestrictsFinancialAccess", "Restricts access to money", "تقييد الوصول إلى المال"),
            ("RestrictsMedicalCare", "Restricts medical care", "تقييد الرعاية الطبية"),
            ("WithholdsNecessities", "Withholds necessities", "حرمان من الضروريات"),
            ("PsychologicalAbuse", "Psychological abuse", "إساءة نفسية"),
            ("PsychoactiveSubstance", "Psychoactive substances", "مواد مؤثرة نفسيًا"),
            ("ExcessiveWorkingHours", "Excessive working hours", "ساعات عمل مفرطة"),
            ("WithholdsDocuments", "Withholds documents", "احتجاز الوثائق"),
            ("Other", "Other", "أخرى"),
        ],
    ),
    *_choices(
        "exploitation",
        [
            ("ForcedLabour", "Forced labour", "العمل القسري"),
            ("SexualExploitation", "Sexual exploitation", "الاستغلال الجنسي"),
            ("ChildLabour", "Child labour", "عمل الأطفال"),
            ("ForcedMarriage", "Forced marriage", "الزواج القسري"),
            ("Servitude", "Servitude", "الاستعباد"),
            (
                "ForcedMilitaryByNonStateActors",
                "Forced military service by non-state actors",
                "التجنيد القسري من جهات غير حكومية",
            ),
            ("OrganRemoval", "Organ removal", "نزع الأعضاء"),
            ("ForcedBegging", "Forced begging", "التسول القسري"),
            ("ForcedAdoption", "Forced adoption", "التبني القسري"),
            ("Surrogacy", "Surrogacy", "تأجير الأرحام"),
            ("Other", "Other", "أخرى"),
        ],
    ),
    *_choices(
        "sex_exploitation",
        [
            ("Prostitution", "Prostitution", "الدعارة"),
            ("Pornography", "Pornography", "المواد الإباحية"),
            ("RemoteInteractiveServices", "Remote interactive services", "خدمات تفاعلية عن بُعد"),
            ("PrivateSexualServices", "Private sexual services", "خدمات جنسية خاصة"),
        ],
    ),
    *_choices(
        "event_type",
        [
            ("Recruitment", "Recruitment", "التجنيد"),
            ("Transit", "Transit", "العبور"),
            ("Exploitation", "Exploitation", "الاستغلال"),
        ],
    ),
]

SETTINGS = {
    "form_title": "Counter-trafficking screening (HTCDS v2.0)",
    "form_id": "passage_htcds_screening",
    "version": "2025.1",
    "default_language": EN,
}
