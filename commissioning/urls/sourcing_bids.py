"""URLs for bids, from the bidder's side; see urls/__init__.py."""

from django.urls import path

from ..views import sourcing_bids as views

urlpatterns: list = [
    path("bids/", views.bid_list, name="bid_list"),
    path("opportunities/<int:pk>/bid/", views.bid_start, name="bid_start"),
    path("bids/<int:pk>/", views.bid, name="bid"),
    path("bids/<int:pk>/answers/", views.bid_edit, name="bid_edit"),
    path("bids/<int:pk>/budget/", views.bid_budget, name="bid_budget"),
    path("bids/<int:pk>/documents/", views.bid_documents, name="bid_documents"),
    path("bids/<int:pk>/submit/", views.bid_submit, name="bid_submit"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("bids/<int:pk>/receipt/", views.bid_receipt, name="bid_receipt"),
    path("bids/<int:pk>/confirm/", views.bid_confirm_member, name="bid_confirm_member"),
    path("bid-documents/<int:pk>/", views.bid_document, name="bid_document"),
]
