"""Admin: document types are configurable here; documents and revisions are
read-only (their changes go through the services, with signatures and audit)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from documents.models import (
    Acknowledgement,
    Document,
    DocumentType,
    ManualBuild,
    PeriodicReview,
    Rendition,
    Revision,
    RevisionVerification,
    RouteTemplate,
    RouteTemplateStep,
)
from qms.admin import NoDeleteMixin, ReadOnlyAdmin


@admin.register(DocumentType)
class DocumentTypeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "numbering_pattern", "revision_scheme", "review_interval_months",
                    "change_reason_required", "external_origin")


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "doc_type", "owner", "department", "next_review_date")
    list_select_related = ("doc_type", "owner", "department")
    search_fields = ("number", "title")


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("document", "label", "status", "effective_date", "created_by")
    list_select_related = ("document", "created_by")
    list_filter = ("status",)


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("revision", "user", "due_date", "acknowledged_at", "cancelled_at")
    list_select_related = ("revision__document", "user")


@admin.register(PeriodicReview)
class PeriodicReviewAdmin(ReadOnlyAdmin):
    list_display = ("document", "outcome", "reviewer", "reviewed_at")


# ------------------------------------------------------------------ controlled PDFs and manual builds: read-only, never deleted
@admin.register(Rendition)
class RenditionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "revision", "watermark", "page_count", "size", "sha256", "render_ms")
    list_filter = ("watermark",)
    list_select_related = ("revision__document",)


@admin.register(ManualBuild)
class ManualBuildAdmin(ReadOnlyAdmin):
    list_display = ("manual_revision", "built_at", "built_by", "page_count", "renders", "sha256")
    exclude = ("contents",)


@admin.register(RevisionVerification)
class RevisionVerificationAdmin(ReadOnlyAdmin):
    list_display = ("revision", "created_at")
    list_select_related = ("revision__document",)
    exclude = ("token",)  # the token is the unguessable part of a printout's link


class RouteTemplateStepInline(admin.StackedInline):
    model = RouteTemplateStep
    extra = 1
    fields = ("order", "kind", "mode", "users", "groups")
    filter_horizontal = ("users", "groups")


@admin.register(RouteTemplate)
class RouteTemplateAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Default review/approval routes per document type (and department): the
    submission form proposes them; fixed when the author may not edit them."""

    list_display = ("name", "doc_type", "department", "author_may_edit", "active")
    list_filter = ("doc_type", "active")
    inlines = [RouteTemplateStepInline]
