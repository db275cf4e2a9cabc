"""Admin for controlled PDFs and manual builds (issue 4): read-only, never
deleted. Imported from DocumentsConfig.ready() so it does not collide with the
documents app's own admin.py."""

from django.contrib import admin

from documents.models import ManualBuild, Rendition, RevisionVerification
from qms.admin import ReadOnlyAdmin


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
