"""The Reintegration Sustainability Survey (IOM MEASURE project, Reintegration Handbook 2019 annex 4): the
economic, social and psychosocial dimensions, with the indicator questions of shared/reference/domain.md
2.2 and the scoring structure of 2.3.

Each answer is recoded to 0–1 (1 is the best reintegration outcome) by a calculate `r_…`; each indicator
has a weight, a calculate `w_…`; a dimension's score is the weighted mean of its recoded answers, and the
composite score the weighted mean of the dimensions (weights `w_dim_…`). IOM's published weights were
derived from the MEASURE field data and are in the handbook annex; this sample does not invent them: its
weights are all 1 (an unweighted mean), and an indicator that does not apply (no school-age children)
weighs 0. A programme replaces the `w_…` calculations with the annex's weights and changes the form's
version, which every submission keeps."""

from __future__ import annotations

EN, AR = "English (en)", "Arabic (ar)"

# list name -> [(choice, English, Arabic)]
SCALES: dict[str, list[tuple[str, str, str]]] = {
    "satisfaction": [
        ("very_satisfied", "Very satisfied", "راضٍ جدًا"),
        ("satisfied", "Satisfied", "راضٍ"),
        ("neutral", "Neither satisfied nor dissatisfied", "لا راضٍ ولا غير راضٍ"),
        ("dissatisfied", "Dissatisfied", "غير راضٍ"),
        ("very_dissatisfied", "Very dissatisfied", "غير راضٍ على الإطلاق"),
    ],
    "frequency": [
        ("never", "Never", "أبدًا"),
        ("rarely", "Rarely", "نادرًا"),
        ("sometimes", "Sometimes", "أحيانًا"),
        ("often", "Often", "غالبًا"),
    ],
    "yes_no": [("yes", "Yes", "نعم"), ("no", "No", "لا")],
    "debt": [
        ("no_debt", "I have no debt", "ليس لدي ديون"),
        ("smaller", "Repayments are smaller than my spending", "الأقساط أقل من إنفاقي"),
        ("larger", "Repayments are larger than my spending", "الأقساط أكبر من إنفاقي"),
    ],
    "quality": [
        ("very_good", "Very good", "جيد جدًا"),
        ("good", "Good", "جيد"),
        ("poor", "Poor", "سيئ"),
        ("very_poor", "Very poor", "سيئ جدًا"),
    ],
    "school": [
        ("all", "Yes, all of them", "نعم، جميعهم"),
        ("some", "Some of them", "بعضهم"),
        ("none", "None of them", "لا أحد منهم"),
        ("no_children", "No school-age children in the household", "لا يوجد أطفال في سن الدراسة في الأسرة"),
    ],
    "agreement": [
        ("strongly_agree", "Strongly agree", "أوافق بشدة"),
        ("agree", "Agree", "أوافق"),
        ("disagree", "Disagree", "لا أوافق"),
        ("strongly_disagree", "Strongly disagree", "لا أوافق بشدة"),
    ],
    "stay": [
        ("able_to_stay", "I feel able to stay", "أشعر أنني أستطيع البقاء"),
        ("unsure", "I am not sure", "لست متأكدًا"),
        ("must_leave", "I feel I have to leave again", "أشعر أنني مضطر إلى المغادرة مجددًا"),
    ],
}

# dimension -> (labels, [(name, list, English, Arabic, {choice: recoded value})])
DIMENSIONS: dict[str, tuple[tuple[str, str], list[tuple[str, str, str, str, dict[str, str]]]]] = {
    "economic": (
        ("Economic dimension", "البعد الاقتصادي"),
        [
            (
                "econ_satisfaction",
                "satisfaction",
                "How satisfied are you with your current economic situation?",
                "ما مدى رضاك عن وضعك الاقتصادي الحالي؟",
                {
                    "very_satisfied": "1",
                    "satisfied": "0.75",
                    "neutral": "0.5",
                    "dissatisfied": "0.25",
                    "very_dissatisfied": "0",
                },
            ),
            (
                "econ_food",
                "frequency",
                "How often do you reduce the quantity or quality of the food you eat because of its cost?",
                "كم مرة تقلل كمية الطعام الذي تتناوله أو جودته بسبب كلفته؟",
                {"never": "1", "rarely": "0.67", "sometimes": "0.33", "often": "0"},
            ),
            (
                "econ_borrow",
                "yes_no",
                "If you needed to, could you borrow money?",
                "هل يمكنك اقتراض المال إذا احتجت إليه؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "econ_debt",
                "debt",
                "Compared with your monthly spending, how large are your monthly debt repayments?",
                "مقارنة بإنفاقك الشهري، ما حجم أقساط ديونك الشهرية؟",
                {"no_debt": "1", "smaller": "0.5", "larger": "0"},
            ),
            (
                "econ_work",
                "yes_no",
                "Do you currently have work or another regular source of income?",
                "هل لديك حاليًا عمل أو مصدر دخل منتظم آخر؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "econ_assets",
                "yes_no",
                "Do you own productive assets (land, livestock, business equipment)?",
                "هل تملك أصولًا منتجة (أرضًا أو ماشية أو معدات عمل)؟",
                {"yes": "1", "no": "0"},
            ),
        ],
    ),
    "social": (
        ("Social dimension", "البعد الاجتماعي"),
        [
            (
                "soc_housing_access",
                "yes_no",
                "Do you have access to housing in your community?",
                "هل يتوفر لك سكن في مجتمعك؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "soc_housing_standard",
                "quality",
                "How would you rate the standard of your housing?",
                "كيف تقيّم مستوى سكنك؟",
                {"very_good": "1", "good": "0.67", "poor": "0.33", "very_poor": "0"},
            ),
            (
                "soc_education",
                "school",
                "Do the school-age children in your household attend school?",
                "هل يذهب الأطفال في سن الدراسة في أسرتك إلى المدرسة؟",
                {"all": "1", "some": "0.5", "none": "0", "no_children": "0"},
            ),
            (
                "soc_justice",
                "yes_no",
                "Could you turn to justice and law enforcement if you needed to?",
                "هل يمكنك اللجوء إلى القضاء وجهات إنفاذ القانون إذا احتجت إلى ذلك؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "soc_documents",
                "yes_no",
                "Do you have an identity document?",
                "هل لديك وثيقة هوية؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "soc_water",
                "yes_no",
                "Do you have access to safe drinking water?",
                "هل يتوفر لك ماء شرب آمن؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "soc_health",
                "quality",
                "How would you rate the health care you can get?",
                "كيف تقيّم الرعاية الصحية المتاحة لك؟",
                {"very_good": "1", "good": "0.67", "poor": "0.33", "very_poor": "0"},
            ),
        ],
    ),
    "psychosocial": (
        ("Psychosocial dimension", "البعد النفسي والاجتماعي"),
        [
            (
                "psy_activities",
                "frequency",
                "How often do you take part in social activities in your community?",
                "كم مرة تشارك في الأنشطة الاجتماعية في مجتمعك؟",
                {"never": "0", "rarely": "0.33", "sometimes": "0.67", "often": "1"},
            ),
            (
                "psy_support",
                "yes_no",
                "Do you have people you can rely on when you need support?",
                "هل لديك أشخاص يمكنك الاعتماد عليهم عند حاجتك إلى الدعم؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "psy_belonging",
                "agreement",
                "I feel that I belong to my community.",
                "أشعر أنني أنتمي إلى مجتمعي.",
                {"strongly_agree": "1", "agree": "0.67", "disagree": "0.33", "strongly_disagree": "0"},
            ),
            (
                "psy_discrimination",
                "frequency",
                "How often do you experience discrimination?",
                "كم مرة تتعرض للتمييز؟",
                {"never": "1", "rarely": "0.67", "sometimes": "0.33", "often": "0"},
            ),
            (
                "psy_distress",
                "frequency",
                "How often do you feel angry, sad, afraid, stressed or lonely?",
                "كم مرة تشعر بالغضب أو الحزن أو الخوف أو التوتر أو الوحدة؟",
                {"never": "1", "rarely": "0.67", "sometimes": "0.33", "often": "0"},
            ),
            (
                "psy_wish_support",
                "yes_no",
                "Would you like psychological support?",
                "هل ترغب في الحصول على دعم نفسي؟",
                {"yes": "0", "no": "1"},
            ),
            (
                "psy_safety",
                "yes_no",
                "Do you feel physically safe where you live?",
                "هل تشعر بالأمان الجسدي حيث تعيش؟",
                {"yes": "1", "no": "0"},
            ),
            (
                "psy_remigrate",
                "stay",
                "Do you feel able to stay, or that you have to leave again?",
                "هل تشعر أنك تستطيع البقاء، أم أنك مضطر إلى المغادرة مجددًا؟",
                {"able_to_stay": "1", "unsure": "0.5", "must_leave": "0"},
            ),
        ],
    ),
}

# Weights that differ from 1: an indicator that does not apply weighs nothing.
WEIGHTS = {"soc_education": "if(${soc_education} = 'no_children', 0, 1)"}


def _recode(name: str, values: dict[str, str]) -> str:
    expression = "''"
    for choice, value in reversed(values.items()):
        expression = f"if(${{{name}}} = '{choice}', {value}, {expression})"
    return expression


def _dimension(dimension: str) -> list[dict[str, str]]:
    (en, ar), items = DIMENSIONS[dimension]
    rows: list[dict[str, str]] = [
        {"type": "begin_group", "name": dimension, f"label::{EN}": en, f"label::{AR}": ar},
    ]
    for name, scale, question_en, question_ar, values in items:
        rows.append(
            {
                "type": f"select_one {scale}",
                "name": name,
                f"label::{EN}": question_en,
                f"label::{AR}": question_ar,
                "required": "yes",
            }
        )
        rows.append({"type": "calculate", "name": f"r_{name}", "calculation": _recode(name, values)})
        rows.append({"type": "calculate", "name": f"w_{name}", "calculation": WEIGHTS.get(name, "1")})
    weighted = " + ".join(f"${{w_{name}}} * ${{r_{name}}}" for name, *_ in items)
    weights = " + ".join(f"${{w_{name}}}" for name, *_ in items)
    rows.append(
        {"type": "calculate", "name": f"score_{dimension}", "calculation": f"round(({weighted}) div ({weights}), 3)"}
    )
    rows.append(
        {
            "type": "note",
            "name": f"{dimension}_summary",
            f"label::{EN}": f"{en} score (0 to 1): ${{score_{dimension}}}",
            f"label::{AR}": f"درجة {ar} (من 0 إلى 1): ${{score_{dimension}}}",
        }
    )
    rows.append({"type": "end_group"})
    return rows


SURVEY: list[dict[str, str]] = [
    {
        "type": "select_one wave",
        "name": "wave",
        f"label::{EN}": "Survey round",
        f"label::{AR}": "جولة المسح",
        "required": "yes",
    },
    {
        "type": "date",
        "name": "survey_date",
        f"label::{EN}": "Date of the survey",
        f"label::{AR}": "تاريخ المسح",
        "required": "yes",
        "default": "today()",
        "constraint": ". <= today()",
        f"constraint_message::{EN}": "The date cannot be in the future.",
        f"constraint_message::{AR}": "لا يمكن أن يكون التاريخ في المستقبل.",
    },
    {
        "type": "date",
        "name": "return_date",
        f"label::{EN}": "Date of return",
        f"label::{AR}": "تاريخ العودة",
        "constraint": ". <= ${survey_date}",
        f"constraint_message::{EN}": "The return comes before the survey.",
        f"constraint_message::{AR}": "تسبق العودة تاريخ المسح.",
    },
    {
        "type": "calculate",
        "name": "months_since_return",
        "calculation": "if(${return_date} = '', '', int((${survey_date} - ${return_date}) div 30.4375))",
    },
    *_dimension("economic"),
    *_dimension("social"),
    *_dimension("psychosocial"),
    {"type": "calculate", "name": "w_dim_economic", "calculation": "1"},
    {"type": "calculate", "name": "w_dim_social", "calculation": "1"},
    {"type": "calculate", "name": "w_dim_psychosocial", "calculation": "1"},
    {
        "type": "calculate",
        "name": "score_composite",
        "calculation": "round((${w_dim_economic} * ${score_economic} + ${w_dim_social} * ${score_social}"
        " + ${w_dim_psychosocial} * ${score_psychosocial})"
        " div (${w_dim_economic} + ${w_dim_social} + ${w_dim_psychosocial}), 3)",
    },
    {
        "type": "note",
        "name": "composite_summary",
        f"label::{EN}": "Composite reintegration score (0 to 1): ${score_composite}",
        f"label::{AR}": "الدرجة المركبة لإعادة الإدماج (من 0 إلى 1): ${score_composite}",
    },
]

CHOICES: list[dict[str, str]] = [
    {
        "list_name": "wave",
        "name": "baseline",
        f"label::{EN}": "Baseline (near arrival)",
        f"label::{AR}": "خط الأساس (قرب الوصول)",
    },
    {"list_name": "wave", "name": "follow_up", f"label::{EN}": "Follow-up", f"label::{AR}": "متابعة"},
    {"list_name": "wave", "name": "endline", f"label::{EN}": "End of assistance", f"label::{AR}": "نهاية المساعدة"},
    *(
        {"list_name": scale, "name": name, f"label::{EN}": en, f"label::{AR}": ar}
        for scale, choices in SCALES.items()
        for name, en, ar in choices
    ),
]

SETTINGS = {
    "form_title": "Reintegration Sustainability Survey",
    "form_id": "passage_rss",
    "version": "2025.1-unweighted",
    "default_language": EN,
    "instance_name": "concat('RSS ', ${wave}, ' ', ${survey_date})",
}
