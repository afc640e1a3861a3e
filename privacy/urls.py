from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("claim/my-data/", views.customer_export, name="customer-export"),
    path("staff/privacy/", views.staff_export, name="staff-export"),
]
