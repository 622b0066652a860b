from django.contrib import admin

from outbox.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    readonly_fields = ("to", "subject", "body", "status", "attempts", "error", "created_at", "claimed_at", "sent_at")
