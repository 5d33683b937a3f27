"""URLs of referrals and the directory of service providers (included under /cases/ by cases.urls)."""

from django.urls import path

from passage.cases import provider_views, referral_link_views, referral_views

urlpatterns = [
    path("referrals/", referral_views.office_referrals, name="cases_referrals"),
    path("referrals/inbox/", referral_views.inbox, name="cases_referral_inbox"),
    path("referrals/providers/", provider_views.directory, name="cases_providers"),
    path("referrals/providers/new/", provider_views.provider_create, name="cases_provider_create"),
    path("referrals/providers/<uuid:provider_id>/", provider_views.provider, name="cases_provider"),
    path("referrals/providers/<uuid:provider_id>/edit/", provider_views.provider_edit, name="cases_provider_edit"),
    path(
        "referrals/providers/<uuid:provider_id>/active/", provider_views.provider_active, name="cases_provider_active"
    ),
    path(
        "referrals/providers/<uuid:provider_id>/contacts/",
        provider_views.contact_add,
        name="cases_provider_contact_add",
    ),
    path(
        "referrals/providers/<uuid:provider_id>/contacts/<uuid:contact_id>/remove/",
        provider_views.contact_remove,
        name="cases_provider_contact_remove",
    ),
    path("referrals/providers/<uuid:provider_id>/accounts/", provider_views.user_link, name="cases_provider_user_link"),
    path(
        "referrals/providers/<uuid:provider_id>/accounts/<uuid:link_id>/remove/",
        provider_views.user_unlink,
        name="cases_provider_user_unlink",
    ),
    path("referrals/<uuid:referral_id>/", referral_views.referral, name="cases_referral"),
    path("referrals/<uuid:referral_id>/answer/", referral_views.referral_answer, name="cases_referral_answer"),
    path("referrals/<uuid:referral_id>/close/", referral_views.referral_close, name="cases_referral_close"),
    path("referrals/<uuid:referral_id>/cancel/", referral_views.referral_cancel, name="cases_referral_cancel"),
    path(
        "referrals/<uuid:referral_id>/person-feedback/",
        referral_views.referral_person_feedback,
        name="cases_referral_person_feedback",
    ),
    path("referrals/<uuid:referral_id>/links/", referral_views.referral_link_issue, name="cases_referral_link_issue"),
    path(
        "referrals/<uuid:referral_id>/links/<uuid:link_id>/revoke/",
        referral_views.referral_link_revoke,
        name="cases_referral_link_revoke",
    ),
    path("<uuid:case_id>/referrals/", referral_views.case_referrals, name="cases_case_referrals"),
    path("<uuid:case_id>/referrals/new/", referral_views.referral_new, name="cases_referral_new"),
    path("<uuid:case_id>/referrals/consent/", referral_views.sharing_scope, name="cases_sharing_scope"),
    # The one-time link pages: no sign-in (referral_links).
    path("referral-link/s/<uuid:link_id>/", referral_link_views.shared, name="cases_referral_shared"),
    path("referral-link/s/<uuid:link_id>/answer/", referral_link_views.answer, name="cases_referral_shared_answer"),
    path("referral-link/<str:token>/", referral_link_views.landing, name="cases_referral_link"),
]
