"""URLs for evaluation: panels, declarations, scoring, moderation, shortlist, award and feedback;
see urls/__init__.py."""

from django.urls import path

from ..views import sourcing_evaluation as views

urlpatterns = [
    path("opportunities/<int:pk>/panel/", views.panel, name="panel"),
    path("opportunities/<int:pk>/panel/bids/", views.panel_bids, name="panel_bids"),
    path("opportunities/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("opportunities/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("opportunities/<int:pk>/award/", views.award, name="award"),
    path("evaluation/bids/<int:pk>/declare/", views.bid_declare, name="bid_declare"),
    path("evaluation/bids/<int:pk>/score/", views.bid_score, name="bid_score"),
    path("evaluation/bids/<int:pk>/moderate/", views.moderate_bid, name="moderate_bid"),
    path("bids/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("bids/<int:pk>/feedback/pdf/", views.feedback_pdf, name="feedback_pdf"),
]
