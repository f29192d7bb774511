from django.urls import path

from panel import views

# Addresses starting /panel/ and /coordinate/<programme>/panel/.
app_name = "panel"

urlpatterns = [
    # The panel's members
    path("panel/<slug:slug>/", views.panel_home, name="panel_home"),
    path("panel/<slug:slug>/propose/", views.proposal_new, name="proposal_new"),
    path(
        "panel/<slug:slug>/proposals/<int:proposal_id>/",
        views.proposal_detail,
        name="proposal_detail",
    ),
    path("panel/<slug:slug>/you-said-we-did/new/", views.entry_new, name="entry_new"),
    # Every current member of the programme, and those who run it
    path("panel/<slug:slug>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    # Coordinators: their own programmes only
    path("coordinate/<slug:slug>/panel/", views.coordinator_panel, name="coordinator_panel"),
    path(
        "coordinate/<slug:slug>/panel/proposals/<int:proposal_id>/",
        views.coordinator_proposal,
        name="coordinator_proposal",
    ),
]
