"""Admin: read-only views; changes go through the app's services (history, events, signatures)."""

from django.contrib import admin

from qms.admin import ReadOnlyAdmin
from suppliers.models import Certificate, Contact, Criterion, Delivery, Evaluation, Supplier


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "criticality", "status", "next_evaluation_due")
    search_fields = ("code", "name")


for model in (Contact, Certificate, Criterion, Evaluation, Delivery):
    admin.site.register(model, ReadOnlyAdmin)
