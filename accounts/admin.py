from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class BizcanvasUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("bizcanvas", {"fields": ("language",)}))
