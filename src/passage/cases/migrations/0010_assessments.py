"""Assessments: programme forms (XLSForm) and their versions, submissions and imports from KoboToolbox/ODK;
vulnerability (DoMV) assessments, factors, bands and determinations; RSS weights and scores.

Data: the DoMV factor catalogue (a frozen copy of shared/reference/domain.md 1.2 as the sample form
cases/xlsform/library/domv.py names it, with the household protective examples of 1.2), and form.manage for
administrators (passage.core.roles), as cases 0002 grants case permissions.
"""

import django.db.models.deletion
import passage.core.fields
import uuid
from django.conf import settings
from django.db import migrations, models


# Frozen copy of the factor catalogue at the time of this migration: code, level, English, Arabic, French.
FACTORS = [
    ("age", "individual", "Age", "العمر", "Âge"),
    ("sex", "individual", "Sex", "الجنس", "Sexe"),
    ("gender_identity", "individual", "Gender identity", "الهوية الجندرية", "Identité de genre"),
    ("sexual_orientation", "individual", "Sexual orientation", "التوجه الجنسي", "Orientation sexuelle"),
    (
        "race_ethnicity_nationality",
        "individual",
        "Race, ethnicity or nationality",
        "العرق أو الإثنية أو الجنسية",
        "Race, ethnicité ou nationalité",
    ),
    (
        "personal_history",
        "individual",
        "Personal history (including prior abuse)",
        "التاريخ الشخصي (بما في ذلك التعرض السابق للإساءة)",
        "Antécédents personnels (y compris abus antérieurs)",
    ),
    (
        "mental_health",
        "individual",
        "Mental and emotional health",
        "الصحة النفسية والعاطفية",
        "Santé mentale et émotionnelle",
    ),
    (
        "physical_health",
        "individual",
        "Physical health and disability",
        "الصحة الجسدية والإعاقة",
        "Santé physique et handicap",
    ),
    (
        "literacy_education",
        "individual",
        "Literacy and education",
        "القراءة والكتابة والتعليم",
        "Alphabétisation et éducation",
    ),
    (
        "access_to_resources",
        "individual",
        "Access to resources (money, goods, support)",
        "الوصول إلى الموارد (المال والسلع والدعم)",
        "Accès aux ressources (argent, biens, soutien)",
    ),
    ("skills_knowledge", "individual", "Skills and knowledge", "المهارات والمعارف", "Compétences et connaissances"),
    (
        "migration_status",
        "individual",
        "Migration status and documents",
        "وضع الهجرة والوثائق",
        "Statut migratoire et documents",
    ),
    ("family_size", "household", "Family size", "حجم الأسرة", "Taille de la famille"),
    (
        "household_structure",
        "household",
        "Household structure (child- or single-parent-headed)",
        "تركيبة الأسرة (يعيلها طفل أو والد وحيد)",
        "Structure du ménage (dirigé par un enfant ou un parent seul)",
    ),
    (
        "socioeconomic_status",
        "household",
        "Socio-economic status",
        "الوضع الاجتماعي والاقتصادي",
        "Statut socio-économique",
    ),
    (
        "family_migration_history",
        "household",
        "Family migration history (unsafe migration)",
        "تاريخ الهجرة في الأسرة (الهجرة غير الآمنة)",
        "Histoire migratoire de la famille (migration dangereuse)",
    ),
    (
        "employment_livelihoods",
        "household",
        "Employment and livelihoods",
        "العمل وسبل العيش",
        "Emploi et moyens de subsistance",
    ),
    (
        "household_education",
        "household",
        "Education levels in the household",
        "مستويات التعليم في الأسرة",
        "Niveaux d'éducation du ménage",
    ),
    (
        "gender_discrimination",
        "household",
        "Gender discrimination in the household",
        "التمييز القائم على النوع الاجتماعي داخل الأسرة",
        "Discrimination de genre au sein du ménage",
    ),
    (
        "family_dynamics",
        "household",
        "Family dynamics (violence between members)",
        "ديناميات الأسرة (العنف بين أفرادها)",
        "Dynamique familiale (violence entre membres)",
    ),
    (
        "social_networks",
        "community",
        "Social networks and cohesion",
        "الشبكات الاجتماعية والتماسك",
        "Réseaux sociaux et cohésion",
    ),
    (
        "social_norms",
        "community",
        "Social norms (for example stigma)",
        "الأعراف الاجتماعية (مثل الوصم)",
        "Normes sociales (par exemple la stigmatisation)",
    ),
    (
        "access_to_services",
        "community",
        "Access to services (education, health, law enforcement)",
        "الوصول إلى الخدمات (التعليم والصحة وإنفاذ القانون)",
        "Accès aux services (éducation, santé, forces de l'ordre)",
    ),
    (
        "local_governance",
        "community",
        "Local governance and collective action",
        "الحوكمة المحلية والعمل الجماعي",
        "Gouvernance locale et action collective",
    ),
    (
        "livelihood_opportunities",
        "community",
        "Livelihood opportunities",
        "فرص كسب العيش",
        "Opportunités de subsistance",
    ),
    (
        "physical_environment",
        "community",
        "Physical environment and hazards",
        "البيئة المادية والمخاطر",
        "Environnement physique et dangers",
    ),
    (
        "subgroup_exclusion",
        "community",
        "Discrimination or exclusion of sub-groups",
        "التمييز ضد فئات فرعية أو إقصاؤها",
        "Discrimination ou exclusion de sous-groupes",
    ),
    (
        "governance_rule_of_law",
        "structural",
        "Governance and rule of law",
        "الحوكمة وسيادة القانون",
        "Gouvernance et État de droit",
    ),
    ("conflict", "structural", "Conflict", "النزاع", "Conflit"),
    (
        "economic_conditions",
        "structural",
        "Economic conditions, poverty and inequality",
        "الظروف الاقتصادية والفقر وعدم المساواة",
        "Conditions économiques, pauvreté et inégalités",
    ),
    ("labour_market", "structural", "Labour market", "سوق العمل", "Marché du travail"),
    (
        "migration_asylum_policy",
        "structural",
        "Migration and asylum policy",
        "سياسات الهجرة واللجوء",
        "Politique migratoire et d'asile",
    ),
    (
        "social_protection",
        "structural",
        "Social protection systems",
        "أنظمة الحماية الاجتماعية",
        "Systèmes de protection sociale",
    ),
    (
        "discrimination_in_law",
        "structural",
        "Discrimination in law",
        "التمييز في القانون",
        "Discrimination dans la loi",
    ),
    (
        "climate_environment",
        "structural",
        "Climate change and environment",
        "تغير المناخ والبيئة",
        "Changement climatique et environnement",
    ),
    ("globalization", "structural", "Globalization", "العولمة", "Mondialisation"),
    (
        "historical_relations",
        "structural",
        "Historical relations between groups and states",
        "العلاقات التاريخية بين الجماعات والدول",
        "Relations historiques entre groupes et États",
    ),
    (
        "supportive_home_environment",
        "household",
        "Supportive home environment",
        "بيئة منزلية داعمة",
        "Environnement familial favorable",
    ),
    (
        "equitable_resources",
        "household",
        "Equitable resources for boys and girls",
        "توزيع منصف للموارد بين الفتيان والفتيات",
        "Ressources équitables entre garçons et filles",
    ),
    (
        "sufficient_earnings",
        "household",
        "Earnings sufficient for basic needs and aspirations",
        "دخل يكفي الاحتياجات الأساسية والتطلعات",
        "Revenus suffisants pour les besoins essentiels et les aspirations",
    ),
]

FORM_MANAGERS = ["administrator"]


def seed(apps, schema_editor):
    DomvFactor = apps.get_model("cases", "DomvFactor")
    for position, (code, level, en, ar, fr) in enumerate(FACTORS, start=1):
        DomvFactor.objects.get_or_create(
            code=code, defaults={"level": level, "labels": {"en": en, "ar": ar, "fr": fr}, "position": position}
        )
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for role in Role.objects.filter(code__in=FORM_MANAGERS):
        RoleGrant.objects.get_or_create(role=role, permission="form.manage")


def unseed(apps, schema_editor):
    apps.get_model("core", "RoleGrant").objects.filter(permission="form.manage").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_grant_case_permissions"),
        ("core", "0006_grant_export_and_aggregates"),
        ("core", "0003_seed_roles"),
        ("registry", "0010_import_duplicate_hold"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DomvFactor",
            fields=[
                ("code", models.SlugField(max_length=64, primary_key=True, serialize=False, verbose_name="code")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("individual", "Individual"),
                            ("household", "Household and family"),
                            ("community", "Community"),
                            ("structural", "Structural"),
                        ],
                        max_length=12,
                        verbose_name="level",
                    ),
                ),
                ("labels", models.JSONField(default=dict, verbose_name="names by language")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
            ],
            options={
                "verbose_name": "vulnerability factor",
                "ordering": ["position", "code"],
            },
        ),
        migrations.CreateModel(
            name="FormTemplate",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("code", models.SlugField(max_length=64, verbose_name="code")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="form_templates", to="core.operation"
                    ),
                ),
            ],
            options={
                "verbose_name": "form",
                "ordering": ["code", "id"],
            },
        ),
        migrations.CreateModel(
            name="FormVersion",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("number", models.PositiveIntegerField(verbose_name="version number")),
                (
                    "version",
                    models.CharField(blank=True, max_length=100, verbose_name="version in the form's settings"),
                ),
                (
                    "form_id",
                    models.CharField(blank=True, max_length=200, verbose_name="form ID in the form's settings"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("filename", models.CharField(max_length=255, verbose_name="file name")),
                ("content", models.BinaryField(verbose_name="XLSForm file")),
                ("sha256", models.CharField(max_length=64)),
                (
                    "definition",
                    models.JSONField(help_text="passage.cases.xlsform.definition_to_dict", verbose_name="definition"),
                ),
                ("warnings", models.JSONField(blank=True, default=list, verbose_name="warnings at upload")),
                ("languages", models.JSONField(blank=True, default=list)),
                ("uploaded_at", models.DateTimeField()),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="cases.formtemplate"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "form version",
                "ordering": ["template", "-number"],
            },
        ),
        migrations.CreateModel(
            name="FormImport",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("filename", models.CharField(max_length=255, verbose_name="file name")),
                ("file", models.FileField(blank=True, upload_to="cases/form_imports/%Y/%m/")),
                ("size", models.PositiveBigIntegerField(default=0)),
                ("link_field", models.CharField(max_length=200, verbose_name="field naming the case or person")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting to run"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("counts", models.JSONField(blank=True, default=dict)),
                ("sealed_results", passage.core.fields.EncryptedTextField(blank=True)),
                ("problem", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.job",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.operation"
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="imports", to="cases.formtemplate"
                    ),
                ),
                (
                    "form_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.formversion"
                    ),
                ),
            ],
            options={
                "verbose_name": "import of submissions",
                "ordering": ["-created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RssWeights",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("weights", models.JSONField()),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="source of the weights")),
                ("set_at", models.DateTimeField()),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rss_weights", to="core.programme"
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "RSS weights",
                "ordering": ["programme", "-number"],
            },
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("sealed_answers", passage.core.fields.EncryptedTextField(blank=True)),
                ("sealed_label", passage.core.fields.EncryptedTextField(blank=True)),
                ("scores", models.JSONField(blank=True, default=dict, verbose_name="scores")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("complete", "Complete")],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("browser", "Filled in Passage"),
                            ("api", "Sent through the API"),
                            ("import", "Imported from KoboToolbox or ODK"),
                        ],
                        default="browser",
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                ("source_key", models.CharField(blank=True, max_length=128)),
                ("fingerprint", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted")),
                ("version", models.PositiveIntegerField(default=1)),
                ("replaced_at", models.DateTimeField(blank=True, null=True, verbose_name="superseded")),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
                        to="cases.case",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "form_import",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="submissions",
                        to="cases.formimport",
                    ),
                ),
                (
                    "form_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="submissions", to="cases.formversion"
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.operation"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "supersedes",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="cases.submission",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="submissions", to="cases.formtemplate"
                    ),
                ),
            ],
            options={
                "verbose_name": "submission",
                "ordering": ["-created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RssScore",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("survey_round", models.CharField(blank=True, max_length=40, verbose_name="survey round")),
                ("surveyed_on", models.DateField(verbose_name="surveyed on")),
                ("economic", models.FloatField(blank=True, null=True, verbose_name="economic")),
                ("social", models.FloatField(blank=True, null=True, verbose_name="social")),
                ("psychosocial", models.FloatField(blank=True, null=True, verbose_name="psychosocial")),
                ("composite", models.FloatField(blank=True, null=True, verbose_name="composite")),
                ("indicators", models.JSONField(blank=True, default=dict)),
                ("computed_at", models.DateTimeField()),
                ("replaced_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rss_scores",
                        to="cases.case",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.operation"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.programme"
                    ),
                ),
                (
                    "weights",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="scores", to="cases.rssweights"
                    ),
                ),
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rss_score", to="cases.submission"
                    ),
                ),
            ],
            options={
                "verbose_name": "RSS score",
                "ordering": ["surveyed_on", "computed_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="VulnerabilityAssessment",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "scope",
                    models.CharField(
                        choices=[("subject", "A case or a person"), ("place", "A place (community or country)")],
                        max_length=8,
                        verbose_name="about",
                    ),
                ),
                (
                    "country",
                    models.CharField(blank=True, help_text="ISO 3166-1 alpha-2", max_length=2, verbose_name="country"),
                ),
                ("assessed_on", models.DateField(verbose_name="assessed on")),
                ("summary", passage.core.fields.EncryptedTextField(blank=True, verbose_name="summary")),
                ("score", models.FloatField(blank=True, null=True, verbose_name="net score")),
                ("created_at", models.DateTimeField()),
                ("replaced_at", models.DateTimeField(blank=True, null=True, verbose_name="superseded")),
                (
                    "admin_area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.adminarea",
                    ),
                ),
                (
                    "assessed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vulnerability_assessments",
                        to="cases.case",
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.operation"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="vulnerability_assessments",
                        to="cases.submission",
                    ),
                ),
                (
                    "supersedes",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="cases.vulnerabilityassessment",
                    ),
                ),
            ],
            options={
                "verbose_name": "vulnerability assessment",
                "ordering": ["-assessed_on", "-created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="FactorRating",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("individual", "Individual"),
                            ("household", "Household and family"),
                            ("community", "Community"),
                            ("structural", "Structural"),
                        ],
                        max_length=12,
                        verbose_name="level",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("risk", "Risk factor"), ("protective", "Protective factor"), ("neutral", "Neutral")],
                        max_length=10,
                        verbose_name="risk or protective",
                    ),
                ),
                ("severity", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="severity")),
                ("note", passage.core.fields.EncryptedTextField(blank=True, verbose_name="note")),
                (
                    "factor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.domvfactor"
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="factors",
                        to="cases.vulnerabilityassessment",
                    ),
                ),
            ],
            options={
                "verbose_name": "factor",
                "ordering": ["assessment", "factor__position", "factor__code"],
            },
        ),
        migrations.CreateModel(
            name="VulnerabilityBands",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("number", models.PositiveIntegerField()),
                (
                    "bands",
                    models.JSONField(
                        help_text='[{"code": "low", "label": "Low", "from": null}, {"code": "high", ...}]'
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("set_at", models.DateTimeField()),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vulnerability_bands",
                        to="core.programme",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "vulnerability bands",
                "ordering": ["programme", "-number"],
            },
        ),
        migrations.CreateModel(
            name="VulnerabilityDetermination",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("score", models.FloatField(blank=True, null=True, verbose_name="score")),
                ("suggested_band", models.CharField(blank=True, max_length=40, verbose_name="band the score falls in")),
                ("band", models.CharField(max_length=40, verbose_name="band")),
                ("band_label", models.CharField(max_length=100, verbose_name="band")),
                ("rationale", passage.core.fields.EncryptedTextField(verbose_name="rationale")),
                ("determined_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for review"),
                            ("confirmed", "Confirmed"),
                            ("returned", "Returned for another look"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("review_note", passage.core.fields.EncryptedTextField(blank=True, verbose_name="reviewer's note")),
                ("replaced_at", models.DateTimeField(blank=True, null=True, verbose_name="superseded")),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="determinations",
                        to="cases.vulnerabilityassessment",
                    ),
                ),
                (
                    "bands",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.vulnerabilitybands",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vulnerability_determinations",
                        to="cases.case",
                    ),
                ),
                (
                    "determined_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.operation"
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "supersedes",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="superseded_by",
                        to="cases.vulnerabilitydetermination",
                    ),
                ),
            ],
            options={
                "verbose_name": "vulnerability determination",
                "ordering": ["-determined_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="formtemplate",
            constraint=models.UniqueConstraint(fields=("operation", "code"), name="form_code_unique_in_operation"),
        ),
        migrations.AddConstraint(
            model_name="formversion",
            constraint=models.UniqueConstraint(fields=("template", "number"), name="one_number_per_form_version"),
        ),
        migrations.AddConstraint(
            model_name="rssweights",
            constraint=models.UniqueConstraint(fields=("programme", "number"), name="one_number_per_rss_weights"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["case", "template", "status"], name="submission_by_case"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["person", "template"], name="submission_by_person"),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.CheckConstraint(
                condition=models.Q(("case__isnull", False), ("person__isnull", False), _connector="OR"),
                name="submission_on_a_case_or_a_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "draft"), ("submitted_at__isnull", False), _connector="OR"),
                name="complete_submission_has_a_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(models.Q(("source_key", ""), _negated=True), ("replaced_at__isnull", True)),
                fields=("template", "source_key"),
                name="one_current_submission_per_source_key",
            ),
        ),
        migrations.AddIndex(
            model_name="rssscore",
            index=models.Index(fields=["person", "surveyed_on"], name="rss_score_by_person"),
        ),
        migrations.AddIndex(
            model_name="rssscore",
            index=models.Index(fields=["case", "surveyed_on"], name="rss_score_by_case"),
        ),
        migrations.AddIndex(
            model_name="vulnerabilityassessment",
            index=models.Index(fields=["case", "replaced_at"], name="vulnerability_by_case"),
        ),
        migrations.AddIndex(
            model_name="vulnerabilityassessment",
            index=models.Index(fields=["operation", "scope", "replaced_at"], name="vulnerability_by_place"),
        ),
        migrations.AddConstraint(
            model_name="vulnerabilityassessment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("admin_area__isnull", True),
                        ("country", ""),
                        ("scope", "subject"),
                        models.Q(("case__isnull", False), ("person__isnull", False), _connector="OR"),
                    ),
                    models.Q(
                        ("case__isnull", True),
                        ("person__isnull", True),
                        ("scope", "place"),
                        models.Q(
                            ("admin_area__isnull", False), models.Q(("country", ""), _negated=True), _connector="OR"
                        ),
                    ),
                    _connector="OR",
                ),
                name="vulnerability_assessment_of_a_subject_or_a_place",
            ),
        ),
        migrations.AddConstraint(
            model_name="factorrating",
            constraint=models.UniqueConstraint(fields=("assessment", "factor"), name="one_rating_per_factor"),
        ),
        migrations.AddConstraint(
            model_name="factorrating",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "neutral"), ("severity__isnull", True)),
                    models.Q(("kind__in", ["risk", "protective"]), ("severity__gte", 1), ("severity__lte", 3)),
                    _connector="OR",
                ),
                name="rating_severity_1_to_3_unless_neutral",
            ),
        ),
        migrations.AddConstraint(
            model_name="vulnerabilitybands",
            constraint=models.UniqueConstraint(fields=("programme", "number"), name="one_number_per_bands_version"),
        ),
        migrations.AddConstraint(
            model_name="vulnerabilitydetermination",
            constraint=models.UniqueConstraint(
                condition=models.Q(("replaced_at__isnull", True)), fields=("case",), name="one_current_determination"
            ),
        ),
        migrations.AddConstraint(
            model_name="vulnerabilitydetermination",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "pending"), ("reviewed_at__isnull", False), _connector="OR"),
                name="reviewed_determination_has_a_date",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
