from django.urls import path

from portal import views

# Addresses starting /dashboard/, /profile/ and /my/: a person's own pages; and
# /accessibility/, /privacy/ and /glossary/: the statements every page links to.
app_name = "portal"

urlpatterns = [
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("glossary/", views.glossary, name="glossary"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("profile/mentor/", views.mentor_profile_edit, name="mentor_profile_edit"),
    path("profile/mentor/consent/", views.mentor_consent, name="mentor_consent"),
    path(
        "profile/mentor/consent/withdraw/",
        views.mentor_consent_withdraw,
        name="mentor_consent_withdraw",
    ),
    path(
        "profile/mentor/experience/",
        views.mentor_experience_edit,
        name="mentor_experience_edit",
    ),
    path("profile/mentor/pause/", views.mentor_pause, name="mentor_pause"),
    path("profile/mentee/", views.mentee_profile_edit, name="mentee_profile_edit"),
    path("my/settings/", views.account_settings, name="account_settings"),
    path("my/data/", views.my_data, name="my_data"),
    path("my/data/download/", views.my_data_download, name="my_data_download"),
    path("my/delete/", views.account_delete, name="account_delete"),
    path("my/emails/", views.email_choices, name="email_choices"),
    path("my/contribution/", views.contribution_page, name="contribution"),
    path(
        "my/contribution/record.pdf",
        views.contribution_download,
        name="contribution_download",
    ),
    path(
        "my/contribution/words/<int:kind_words_id>/",
        views.contribution_words,
        name="contribution_words",
    ),
]
