from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("claim/my-data/", views.customer_export, name="customer-export"),
    path("staff/privacy/", views.staff_export, name="staff-export"),
    path("staff/privacy/erase/", views.staff_erase, name="staff-erase"),
    path("staff/privacy/holds/", views.staff_hold, name="staff-hold"),
    path("staff/privacy/holds/<int:pk>/release/", views.staff_release, name="staff-release"),
]
