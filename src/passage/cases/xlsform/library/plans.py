"""The case-management forms the protection, counter-trafficking, AVRR, medical evacuation and DDR workflows
share (shared/reference/domain.md 1.3 and 7.2): the security and risk assessment, the case and assistance plan
(HTCDS support plan, spl_), the monitoring visit and the case closure (HTCDS cas_Status,
cas_ReasonForCaseClosure)."""

from __future__ import annotations

from passage.cases.xlsform.library._parts import (
    END_GROUP,
    END_REPEAT,
    YES_NO,
    Form,
    Row,
    calculate,
    choices,
    date_after,
    date_today,
    group,
    hint,
    message,
    only_none,
    question,
    settings,
)

LIKELIHOOD_IMPACT = choices(
    "scale3", [("1", "1 – low", "١ – منخفض"), ("2", "2 – moderate", "٢ – متوسط"), ("3", "3 – high", "٣ – مرتفع")]
)
RISK_LEVEL = choices(
    "risk_level",
    [
        ("none", "No risk now", "لا خطر حاليًا"),
        ("low", "Low risk", "خطر منخفض"),
        ("medium", "Medium risk", "خطر متوسط"),
        ("high", "High risk", "خطر مرتفع"),
    ],
)
# HTCDS spl_Type
SUPPORT_TYPE = choices(
    "spl_type",
    [
        ("Education", "Education", "التعليم"),
        ("Financial", "Financial", "الدعم المالي"),
        ("Health", "Health", "الصحة"),
        (
            "LabourExploitationRehabilitation",
            "Rehabilitation after labour exploitation",
            "إعادة التأهيل بعد الاستغلال في العمل",
        ),
        ("Legal", "Legal", "القانوني"),
        ("Livelihood", "Livelihood", "سبل العيش"),
        ("RightsBasedTraining", "Rights-based training", "التدريب على الحقوق"),
        (
            "SexualExploitationRehabilitation",
            "Rehabilitation after sexual exploitation",
            "إعادة التأهيل بعد الاستغلال الجنسي",
        ),
        ("SocialCare", "Social care", "الرعاية الاجتماعية"),
        ("Accommodation", "Safe accommodation", "السكن الآمن"),
        ("MHPSS", "Mental health and psychosocial support", "الصحة النفسية والدعم النفسي والاجتماعي"),
        ("FamilyTracing", "Family tracing and reunification", "البحث عن الأسرة ولمّ شملها"),
        ("ReturnOrIntegration", "(Re)integration or assisted return", "(إعادة) الإدماج أو العودة الطوعية المدعومة"),
    ],
)

# --- risk_assessment ------------------------------------------------------------------------------------------

RISK_SURVEY: list[Row] = [
    date_today("assessment_date", "Date of assessment", "تاريخ التقييم"),
    question(
        "select_one context",
        "context",
        "What is the assessment for?",
        "لأي غرض هذا التقييم؟",
        required="yes",
    ),
    group("threats_group", "Threats", "التهديدات"),
    question(
        "select_multiple threat",
        "threats",
        "Which threats does the person face?",
        "ما التهديدات التي يواجهها الشخص؟",
        required="yes",
        **only_none(),
    ),
    question(
        "text",
        "threat_source",
        "Who or what is the source of the threat?",
        "من أو ما هو مصدر التهديد؟",
        relevant="not(selected(${threats}, 'none'))",
        required="yes",
    ),
    question(
        "select_one scale3",
        "likelihood",
        "Likelihood of harm",
        "احتمال وقوع الأذى",
        required="yes",
        appearance="horizontal",
    ),
    question(
        "select_one scale3", "impact", "Impact if it happens", "الأثر إن وقع", required="yes", appearance="horizontal"
    ),
    question(
        "select_one yes_no",
        "family_at_risk",
        "Is the family at risk too?",
        "هل الأسرة معرضة للخطر أيضًا؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "staff_at_risk",
        "Are staff or partners at risk in assisting the person?",
        "هل الموظفون أو الشركاء معرضون للخطر عند مساعدة الشخص؟",
        required="yes",
    ),
    END_GROUP,
    calculate("score_risk", "number(${likelihood}) * number(${impact})"),
    calculate("risk_band", "if(${score_risk} >= 6, 'high', if(${score_risk} >= 3, 'medium', 'low'))"),
    question(
        "note",
        "risk_note",
        "Risk score ${score_risk} of 9 (${risk_band}).",
        "درجة الخطر ${score_risk} من 9 (${risk_band}).",
    ),
    group("mitigation_group", "Measures", "التدابير"),
    question(
        "select_multiple measure",
        "measures",
        "Measures agreed",
        "التدابير المتفق عليها",
        required="${score_risk} >= 3",
    ),
    question("text", "measures_detail", "Details of the measures", "تفاصيل التدابير", appearance="multiline"),
    question(
        "select_one decision",
        "decision",
        "Decision",
        "القرار",
        required="yes",
        constraint="not(${score_risk} >= 6 and . = 'proceed')",
        **message("A high risk needs measures or a postponement.", "يتطلب الخطر المرتفع اتخاذ تدابير أو التأجيل."),
    ),
    question(
        "text",
        "supervisor",
        "Supervisor who reviewed the assessment",
        "المشرف الذي راجع التقييم",
        relevant="${score_risk} >= 6",
        required="yes",
    ),
    END_GROUP,
]

RISK_CHOICES: list[Row] = [
    *YES_NO,
    *LIKELIHOOD_IMPACT,
    *choices(
        "context",
        [
            ("assistance", "Assistance", "تقديم المساعدة"),
            ("travel", "Travel", "السفر"),
            ("return", "Return", "العودة"),
        ],
    ),
    *choices(
        "threat",
        [
            (
                "trafficker_contact",
                "Contact or threats from traffickers or exploiters",
                "تواصل أو تهديدات من المتاجرين أو المستغلين",
            ),
            ("family_threat", "Threats from the family", "تهديدات من الأسرة"),
            ("stigma", "Stigma or rejection by the community", "الوصم أو الرفض من المجتمع"),
            ("retaliation", "Retaliation for cooperating with authorities", "الانتقام بسبب التعاون مع السلطات"),
            ("debt", "Debt owed to recruiters or others", "ديون للمجنِّدين أو لغيرهم"),
            (
                "conflict",
                "Armed conflict or violence where the person is or goes",
                "نزاع مسلح أو عنف حيث يوجد الشخص أو يذهب",
            ),
            ("detention", "Arrest or detention", "الاعتقال أو الاحتجاز"),
            ("self_harm", "Self-harm", "إيذاء النفس"),
            ("none", "None", "لا شيء"),
        ],
    ),
    *choices(
        "measure",
        [
            ("safe_shelter", "Safe shelter", "مأوى آمن"),
            ("relocation", "Relocation", "النقل إلى مكان آخر"),
            ("police", "Report to or protection by police", "إبلاغ الشرطة أو حمايتها"),
            ("escort", "Escort during travel", "مرافقة أثناء السفر"),
            ("safety_plan", "Personal safety plan", "خطة سلامة شخصية"),
            ("confidential_contact", "Confidential contact only", "تواصل سري فقط"),
            ("mhpss_referral", "Referral for psychosocial support", "إحالة إلى الدعم النفسي والاجتماعي"),
        ],
    ),
    *choices(
        "decision",
        [
            ("proceed", "Proceed", "المضي قدمًا"),
            ("proceed_with_measures", "Proceed with the measures", "المضي قدمًا مع التدابير"),
            ("postpone", "Postpone and reassess", "التأجيل وإعادة التقييم"),
        ],
    ),
]

# --- assistance_plan ------------------------------------------------------------------------------------------

PLAN_SURVEY: list[Row] = [
    date_today("plan_date", "Date the plan was agreed", "تاريخ الاتفاق على الخطة"),
    question(
        "select_one yes_no",
        "person_participated",
        "Did the person take part in making the plan and agree to it?",
        "هل شارك الشخص في وضع الخطة ووافق عليها؟",
        required="yes",
    ),
    question(
        "text",
        "not_agreed_reason",
        "Why not?",
        "لماذا لا؟",
        relevant="${person_participated} = 'no'",
        required="yes",
    ),
    group("goals", "Goals", "الأهداف"),
    question("text", "spl_Objectives", "Objectives of the plan", "أهداف الخطة", required="yes", appearance="multiline"),
    question(
        "select_one priority",
        "priority",
        "Priority",
        "الأولوية",
        required="yes",
        appearance="horizontal",
    ),
    END_GROUP,
    question("begin_repeat", "actions", "Support action", "إجراء دعم"),
    question("select_one spl_type", "spl_Type", "Type of support", "نوع الدعم", required="yes"),
    question("text", "spl_ActionPlan", "What will be done", "ما الذي سيُنجز", required="yes"),
    question("select_one provider", "provider", "Provided by", "يقدّمه", required="yes"),
    question(
        "text",
        "referred_to",
        "Organisation referred to",
        "الجهة المحال إليها",
        relevant="${provider} = 'referral'",
        required="yes",
    ),
    date_after("spl_PlannedEndDate", "Planned end date", "تاريخ الانتهاء المخطط", "plan_date", required="yes"),
    END_REPEAT,
    calculate("action_count", "count(${actions})"),
    calculate("referral_count", "count-non-empty(${referred_to})"),
    question(
        "note",
        "plan_note",
        "${action_count} actions, of which ${referral_count} referrals.",
        "${action_count} إجراءات، منها ${referral_count} إحالات.",
    ),
    date_after(
        "review_date",
        "Date of the first review",
        "تاريخ أول مراجعة",
        "plan_date",
        required="yes",
        **hint("At the latest three months from now.", "في موعد أقصاه ثلاثة أشهر من الآن."),
    ),
]

PLAN_CHOICES: list[Row] = [
    *YES_NO,
    *SUPPORT_TYPE,
    *choices(
        "priority",
        [("urgent", "Urgent", "عاجلة"), ("high", "High", "مرتفعة"), ("normal", "Normal", "عادية")],
    ),
    *choices(
        "provider",
        [
            ("direct", "Us, directly", "نحن مباشرة"),
            ("referral", "Another organisation, by referral", "جهة أخرى بالإحالة"),
        ],
    ),
]

# --- case_monitoring ------------------------------------------------------------------------------------------

MONITORING_SURVEY: list[Row] = [
    date_today("visit_date", "Date of the visit", "تاريخ الزيارة"),
    question("select_one visit_type", "visit_type", "How was the person seen?", "كيف جرت المتابعة؟", required="yes"),
    question(
        "select_one yes_no",
        "person_seen",
        "Was the person seen in private?",
        "هل قوبل الشخص على انفراد؟",
        required="yes",
    ),
    group("plan_group", "The plan", "الخطة"),
    question("select_one progress", "plan_progress", "Progress of the plan", "التقدم في الخطة", required="yes"),
    question(
        "select_multiple spl_type",
        "support_received",
        "Support received since the last visit",
        "الدعم المتلقى منذ الزيارة الأخيرة",
    ),
    question(
        "text",
        "obstacles",
        "What is holding the plan back?",
        "ما الذي يعيق الخطة؟",
        relevant="${plan_progress} = 'delayed' or ${plan_progress} = 'not_started'",
        required="yes",
    ),
    END_GROUP,
    group("reassessment", "Risks and needs now", "المخاطر والاحتياجات حاليًا"),
    question("select_one risk_level", "safety_now", "Is the person safe now?", "هل الشخص آمن الآن؟", required="yes"),
    question(
        "integer",
        "wellbeing",
        "How does the person rate their well-being (1 very bad to 5 very good)?",
        "كيف يقيّم الشخص حالته (من 1 سيئة جدًا إلى 5 جيدة جدًا)؟",
        required="yes",
        constraint=". >= 1 and . <= 5",
        **message("From 1 to 5.", "من 1 إلى 5."),
    ),
    question("select_one yes_no", "new_needs", "Are there new needs?", "هل ظهرت احتياجات جديدة؟", required="yes"),
    question(
        "text",
        "new_needs_detail",
        "Which new needs?",
        "ما الاحتياجات الجديدة؟",
        relevant="${new_needs} = 'yes'",
        required="yes",
    ),
    END_GROUP,
    calculate(
        "score_concern",
        "if(${safety_now} = 'high', 3, if(${safety_now} = 'medium', 2, if(${safety_now} = 'low', 1, 0)))"
        " + if(${wellbeing} <= 2, 1, 0) + if(${new_needs} = 'yes', 1, 0)",
    ),
    question(
        "select_one next_step",
        "next_step",
        "Next step",
        "الخطوة التالية",
        required="yes",
        constraint="not(. = 'close' and ${safety_now} = 'high')",
        **message(
            "A person at high risk cannot be proposed for closure.", "لا يمكن اقتراح إغلاق حالة شخص معرض لخطر مرتفع."
        ),
    ),
    date_after(
        "next_visit_date",
        "Date of the next visit",
        "تاريخ الزيارة التالية",
        "visit_date",
        relevant="${next_step} != 'close'",
        required="yes",
    ),
    question("text", "visit_note", "Caseworker's note", "ملاحظة مدير الحالة", appearance="multiline"),
]

MONITORING_CHOICES: list[Row] = [
    *YES_NO,
    *RISK_LEVEL,
    *SUPPORT_TYPE,
    *choices(
        "visit_type",
        [
            ("home", "Home visit", "زيارة منزلية"),
            ("office", "At the office", "في المكتب"),
            ("phone", "By phone or video", "بالهاتف أو الفيديو"),
        ],
    ),
    *choices(
        "progress",
        [
            ("completed", "Completed", "مكتملة"),
            ("on_track", "On track", "تسير كما هو مخطط"),
            ("delayed", "Delayed", "متأخرة"),
            ("not_started", "Not started", "لم تبدأ"),
        ],
    ),
    *choices(
        "next_step",
        [
            ("continue", "Continue the plan", "مواصلة الخطة"),
            ("revise", "Revise the plan", "مراجعة الخطة"),
            ("close", "Propose closure", "اقتراح الإغلاق"),
        ],
    ),
]

# --- case_closure ---------------------------------------------------------------------------------------------

CLOSURE_SURVEY: list[Row] = [
    date_today("closure_date", "Date of closure", "تاريخ الإغلاق"),
    group("reason_group", "Reason for closure", "سبب الإغلاق"),
    question(
        "select_one closure_reason",
        "cas_ReasonForCaseClosure",
        "Reason for closing the case",
        "سبب إغلاق الحالة",
        required="yes",
    ),
    question(
        "text",
        "closure_reason_other",
        "Other reason",
        "سبب آخر",
        relevant="${cas_ReasonForCaseClosure} = 'other'",
        required="yes",
    ),
    question(
        "text",
        "referred_to",
        "Organisation that takes the case over",
        "الجهة التي تتولى الحالة",
        relevant="${cas_ReasonForCaseClosure} = 'referred'",
        required="yes",
    ),
    calculate("cas_Status", "if(${cas_ReasonForCaseClosure} = 'referred', 'ClosedReferred', 'Closed')"),
    END_GROUP,
    group(
        "situation",
        "The person's situation at closure",
        "وضع الشخص عند الإغلاق",
        relevant="${cas_ReasonForCaseClosure} != 'lost_contact' and ${cas_ReasonForCaseClosure} != 'death'",
    ),
    question(
        "select_one achieved",
        "objectives_achieved",
        "Objectives of the plan achieved",
        "الأهداف المحققة من الخطة",
        required="yes",
    ),
    question(
        "select_one risk_level",
        "safety_at_closure",
        "Risk to the person at closure",
        "الخطر على الشخص عند الإغلاق",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "stable_housing",
        "Does the person have stable housing?",
        "هل لدى الشخص سكن مستقر؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "income_source",
        "Does the person have a source of income?",
        "هل لدى الشخص مصدر دخل؟",
        required="yes",
    ),
    question(
        "select_one yes_no",
        "knows_how_to_return",
        "Does the person know how to contact us again?",
        "هل يعرف الشخص كيف يتواصل معنا مجددًا؟",
        required="yes",
    ),
    END_GROUP,
    question(
        "select_one yes_no",
        "supervisor_approved",
        "Has a supervisor approved the closure?",
        "هل وافق مشرف على الإغلاق؟",
        required="yes",
        constraint="not(. = 'no' and ${safety_at_closure} = 'high')",
        **message(
            "A case with a high risk needs a supervisor's approval to close.",
            "تحتاج الحالة ذات الخطر المرتفع إلى موافقة مشرف لإغلاقها.",
        ),
    ),
    question("text", "closure_note", "Closing summary", "ملخص الإغلاق", required="yes", appearance="multiline"),
]

CLOSURE_CHOICES: list[Row] = [
    *YES_NO,
    *RISK_LEVEL,
    *choices(
        "closure_reason",
        [
            ("objectives_met", "The plan's objectives are met", "تحققت أهداف الخطة"),
            ("person_request", "At the person's request", "بطلب من الشخص"),
            ("referred", "Referred to another organisation", "أُحيلت إلى جهة أخرى"),
            ("returned_or_moved", "The person returned or moved away", "عاد الشخص أو انتقل"),
            ("not_eligible", "Not eligible", "غير مؤهل"),
            ("lost_contact", "Contact lost", "انقطع التواصل"),
            ("death", "The person died", "توفي الشخص"),
            ("other", "Other", "أخرى"),
        ],
    ),
    *choices(
        "achieved",
        [
            ("all", "All", "جميعها"),
            ("most", "Most", "معظمها"),
            ("some", "Some", "بعضها"),
            ("none", "None", "لا شيء منها"),
        ],
    ),
]

FORMS: dict[str, Form] = {
    "risk_assessment": (
        RISK_SURVEY,
        RISK_CHOICES,
        settings(
            "risk_assessment",
            "Security and risk assessment",
            "concat('Risk ', ${assessment_date}, ' · ', ${score_risk})",
        ),
    ),
    "assistance_plan": (
        PLAN_SURVEY,
        PLAN_CHOICES,
        settings("assistance_plan", "Case and assistance plan", "concat('Plan ', ${plan_date})"),
    ),
    "case_monitoring": (
        MONITORING_SURVEY,
        MONITORING_CHOICES,
        settings("case_monitoring", "Case monitoring visit", "concat('Visit ', ${visit_date})"),
    ),
    "case_closure": (
        CLOSURE_SURVEY,
        CLOSURE_CHOICES,
        settings("case_closure", "Case closure", "concat('Closure ', ${closure_date})"),
    ),
}
