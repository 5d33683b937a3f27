"""Vulnerability assessment after IOM's Determinants of Migrant Vulnerability model (IOM Handbook on
Protection and Assistance for Migrants Vulnerable to Violence, Exploitation and Abuse, 2019, part 1): the
individual, household/family, community and structural levels, with the example factors of
shared/reference/domain.md 1.2.

Each factor is recorded, for this person's context, as a risk, protective or neutral factor (or not
assessed), with a severity from 1 to 3 and a note. IOM publishes no numeric score (the model is a
professional judgement on a scale): the scores here are a programme's reading, stated in the form —
each level's net score is the sum of its risk severities minus the sum of its protective severities, and
the total adds the levels assessed. A programme's determination bands are set in Passage, not here."""

from __future__ import annotations

EN, AR, FR = "English (en)", "Arabic (ar)", "French (fr)"

LEVELS: dict[str, tuple[tuple[str, str, str], list[tuple[str, str, str, str]]]] = {
    "individual": (
        ("Individual factors", "العوامل الفردية", "Facteurs individuels"),
        [
            ("age", "Age", "العمر", "Âge"),
            ("sex", "Sex", "الجنس", "Sexe"),
            ("gender_identity", "Gender identity", "الهوية الجندرية", "Identité de genre"),
            ("sexual_orientation", "Sexual orientation", "التوجه الجنسي", "Orientation sexuelle"),
            (
                "race_ethnicity_nationality",
                "Race, ethnicity or nationality",
                "العرق أو الإثنية أو الجنسية",
                "Race, ethnicité ou nationalité",
            ),
            (
                "personal_history",
                "Personal history (including prior abuse)",
                "التاريخ الشخصي (بما في ذلك التعرض السابق للإساءة)",
                "Antécédents personnels (y compris abus antérieurs)",
            ),
            (
                "mental_health",
                "Mental and emotional health",
                "الصحة النفسية والعاطفية",
                "Santé mentale et émotionnelle",
            ),
            (
                "physical_health",
                "Physical health and disability",
                "الصحة الجسدية والإعاقة",
                "Santé physique et handicap",
            ),
            (
                "literacy_education",
                "Literacy and education",
                "القراءة والكتابة والتعليم",
                "Alphabétisation et éducation",
            ),
            (
                "access_to_resources",
                "Access to resources (money, goods, support)",
                "الوصول إلى الموارد (المال والسلع والدعم)",
                "Accès aux ressources (argent, biens, soutien)",
            ),
            ("skills_knowledge", "Skills and knowledge", "المهارات والمعارف", "Compétences et connaissances"),
            (
                "migration_status",
                "Migration status and documents",
                "وضع الهجرة والوثائق",
                "Statut migratoire et documents",
            ),
        ],
    ),
    "household": (
        ("Household and family factors", "عوامل الأسرة والعائلة", "Facteurs liés au ménage et à la famille"),
        [
            ("family_size", "Family size", "حجم الأسرة", "Taille de la famille"),
            (
                "household_structure",
                "Household structure (child- or single-parent-headed)",
                "تركيبة الأسرة (يعيلها طفل أو والد وحيد)",
                "Structure du ménage (dirigé par un enfant ou un parent seul)",
            ),
            ("socioeconomic_status", "Socio-economic status", "الوضع الاجتماعي والاقتصادي", "Statut socio-économique"),
            (
                "family_migration_history",
                "Family migration history (unsafe migration)",
                "تاريخ الهجرة في الأسرة (الهجرة غير الآمنة)",
                "Histoire migratoire de la famille (migration dangereuse)",
            ),
            (
                "employment_livelihoods",
                "Employment and livelihoods",
                "العمل وسبل العيش",
                "Emploi et moyens de subsistance",
            ),
            (
                "household_education",
                "Education levels in the household",
                "مستويات التعليم في الأسرة",
                "Niveaux d'éducation du ménage",
            ),
            (
                "gender_discrimination",
                "Gender discrimination in the household",
                "التمييز القائم على النوع الاجتماعي داخل الأسرة",
                "Discrimination de genre au sein du ménage",
            ),
            (
                "family_dynamics",
                "Family dynamics (violence between members)",
                "ديناميات الأسرة (العنف بين أفرادها)",
                "Dynamique familiale (violence entre membres)",
            ),
        ],
    ),
    "community": (
        ("Community factors", "العوامل المجتمعية", "Facteurs communautaires"),
        [
            (
                "social_networks",
                "Social networks and cohesion",
                "الشبكات الاجتماعية والتماسك",
                "Réseaux sociaux et cohésion",
            ),
            (
                "social_norms",
                "Social norms (for example stigma)",
                "الأعراف الاجتماعية (مثل الوصم)",
                "Normes sociales (par exemple la stigmatisation)",
            ),
            (
                "access_to_services",
                "Access to services (education, health, law enforcement)",
                "الوصول إلى الخدمات (التعليم والصحة وإنفاذ القانون)",
                "Accès aux services (éducation, santé, forces de l'ordre)",
            ),
            (
                "local_governance",
                "Local governance and collective action",
                "الحوكمة المحلية والعمل الجماعي",
                "Gouvernance locale et action collective",
            ),
            ("livelihood_opportunities", "Livelihood opportunities", "فرص كسب العيش", "Opportunités de subsistance"),
            (
                "physical_environment",
                "Physical environment and hazards",
                "البيئة المادية والمخاطر",
                "Environnement physique et dangers",
            ),
            (
                "subgroup_exclusion",
                "Discrimination or exclusion of sub-groups",
                "التمييز ضد فئات فرعية أو إقصاؤها",
                "Discrimination ou exclusion de sous-groupes",
            ),
        ],
    ),
    "structural": (
        ("Structural factors", "العوامل الهيكلية", "Facteurs structurels"),
        [
            (
                "governance_rule_of_law",
                "Governance and rule of law",
                "الحوكمة وسيادة القانون",
                "Gouvernance et État de droit",
            ),
            ("conflict", "Conflict", "النزاع", "Conflit"),
            (
                "economic_conditions",
                "Economic conditions, poverty and inequality",
                "الظروف الاقتصادية والفقر وعدم المساواة",
                "Conditions économiques, pauvreté et inégalités",
            ),
            ("labour_market", "Labour market", "سوق العمل", "Marché du travail"),
            (
                "migration_asylum_policy",
                "Migration and asylum policy",
                "سياسات الهجرة واللجوء",
                "Politique migratoire et d'asile",
            ),
            (
                "social_protection",
                "Social protection systems",
                "أنظمة الحماية الاجتماعية",
                "Systèmes de protection sociale",
            ),
            ("discrimination_in_law", "Discrimination in law", "التمييز في القانون", "Discrimination dans la loi"),
            (
                "climate_environment",
                "Climate change and environment",
                "تغير المناخ والبيئة",
                "Changement climatique et environnement",
            ),
            ("globalization", "Globalization", "العولمة", "Mondialisation"),
            (
                "historical_relations",
                "Historical relations between groups and states",
                "العلاقات التاريخية بين الجماعات والدول",
                "Relations historiques entre groupes et États",
            ),
        ],
    ),
}


def _texts(column: str, en: str, ar: str, fr: str) -> dict[str, str]:
    return {f"{column}::{EN}": en, f"{column}::{AR}": ar, f"{column}::{FR}": fr}


def _factor(code: str, en: str, ar: str, fr: str) -> list[dict[str, str]]:
    polarity, severity = f"{code}_polarity", f"{code}_severity"
    return [
        {
            "type": "select_one polarity",
            "name": polarity,
            **_texts("label", en, ar, fr),
            **_texts(
                "hint",
                "Risk or protective in this person's context?",
                "هل هو عامل خطر أو حماية في سياق هذا الشخص؟",
                "Risque ou protection dans le contexte de cette personne ?",
            ),
            "required": "yes",
            "appearance": "horizontal",
        },
        {
            "type": "select_one severity",
            "name": severity,
            **_texts("label", f"{en}: severity", f"{ar}: الشدة", f"{fr} : gravité"),
            "required": "yes",
            "relevant": f"${{{polarity}}} = 'risk' or ${{{polarity}}} = 'protective'",
            "appearance": "horizontal",
        },
        {
            "type": "text",
            "name": f"{code}_note",
            **_texts("label", f"{en}: note", f"{ar}: ملاحظة", f"{fr} : note"),
            "relevant": f"${{{polarity}}} != '' and ${{{polarity}}} != 'not_assessed'",
            "appearance": "multiline",
        },
        {
            "type": "calculate",
            "name": f"{code}_net",
            "calculation": f"if(${{{polarity}}} = 'risk', number(${{{severity}}}), "
            f"if(${{{polarity}}} = 'protective', -number(${{{severity}}}), 0))",
        },
    ]


def _level(level: str) -> list[dict[str, str]]:
    (en, ar, fr), factors = LEVELS[level]
    score = f"score_{level}"
    rows: list[dict[str, str]] = [
        {
            "type": "begin_group",
            "name": level,
            **_texts("label", en, ar, fr),
            "relevant": f"selected(${{levels}}, '{level}')",
        },
    ]
    for factor in factors:
        rows.extend(_factor(*factor))
    rows.append(
        {
            "type": "calculate",
            "name": score,
            "calculation": " + ".join(f"${{{code}_net}}" for code, *_ in factors),
        }
    )
    rows.append(
        {
            "type": "note",
            "name": f"{level}_summary",
            **_texts(
                "label",
                f"Net score at this level (risk minus protective severity): ${{{score}}}",
                f"الدرجة الصافية لهذا المستوى (شدة الخطر ناقص شدة الحماية): ${{{score}}}",
                f"Score net de ce niveau (gravité des risques moins protection) : ${{{score}}}",
            ),
        }
    )
    rows.append({"type": "end_group"})
    return rows


SURVEY: list[dict[str, str]] = [
    {
        "type": "date",
        "name": "assessment_date",
        **_texts("label", "Date of assessment", "تاريخ التقييم", "Date de l'évaluation"),
        "required": "yes",
        "default": "today()",
        "constraint": ". <= today()",
        **_texts(
            "constraint_message",
            "The date cannot be in the future.",
            "لا يمكن أن يكون التاريخ في المستقبل.",
            "La date ne peut pas être dans le futur.",
        ),
    },
    {
        "type": "select_multiple level",
        "name": "levels",
        **_texts("label", "Levels assessed", "المستويات التي جرى تقييمها", "Niveaux évalués"),
        **_texts(
            "hint",
            "Community and structural assessments can be shared by the cases of one place or country.",
            "يمكن أن تتشارك حالات المكان أو البلد الواحد تقييمات المستوى المجتمعي والهيكلي.",
            "Les évaluations communautaires et structurelles peuvent servir à tous les cas d'un lieu ou d'un pays.",
        ),
        "required": "yes",
    },
    *_level("individual"),
    *_level("household"),
    *_level("community"),
    *_level("structural"),
    {
        "type": "calculate",
        "name": "score_total",
        "calculation": " + ".join(f"coalesce(${{score_{level}}}, 0)" for level in LEVELS),
    },
    {
        "type": "note",
        "name": "total_summary",
        **_texts(
            "label",
            "Total net score over the levels assessed: ${score_total}",
            "مجموع الدرجات الصافية للمستويات التي جرى تقييمها: ${score_total}",
            "Score net total des niveaux évalués : ${score_total}",
        ),
    },
    {
        "type": "text",
        "name": "assessor_summary",
        **_texts("label", "Assessor's summary", "ملخص المقيِّم", "Synthèse de l'évaluateur"),
        "appearance": "multiline",
    },
]

CHOICES: list[dict[str, str]] = [
    *({"list_name": "level", "name": level, **_texts("label", *LEVELS[level][0])} for level in LEVELS),
    {"list_name": "polarity", "name": "risk", **_texts("label", "Risk factor", "عامل خطر", "Facteur de risque")},
    {
        "list_name": "polarity",
        "name": "protective",
        **_texts("label", "Protective factor", "عامل حماية", "Facteur de protection"),
    },
    {"list_name": "polarity", "name": "neutral", **_texts("label", "Neutral", "محايد", "Neutre")},
    {"list_name": "polarity", "name": "not_assessed", **_texts("label", "Not assessed", "لم يُقيَّم", "Non évalué")},
    {"list_name": "severity", "name": "1", **_texts("label", "1 – low", "١ – منخفضة", "1 – faible")},
    {"list_name": "severity", "name": "2", **_texts("label", "2 – moderate", "٢ – متوسطة", "2 – modérée")},
    {"list_name": "severity", "name": "3", **_texts("label", "3 – high", "٣ – عالية", "3 – élevée")},
]

SETTINGS = {
    "form_title": "Vulnerability assessment (IOM Determinants of Migrant Vulnerability)",
    "form_id": "passage_vulnerability_domv",
    "version": "2025.1",
    "default_language": EN,
    "instance_name": "concat('DoMV ', ${assessment_date}, ' · ', ${score_total})",
}
