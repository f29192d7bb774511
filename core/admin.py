from django.contrib import admin

from core import models


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["pcf_domains"]
    search_fields = ["name", "slug", "description"]
    filter_horizontal = ["pcf_domains"]


@admin.register(models.LivedExperienceArea)
class LivedExperienceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["relevant_practice_areas"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["relevant_practice_areas"]


@admin.register(models.PCFDomain, models.PracticeArea, models.Language, models.LocalAuthority)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["name"]
    search_fields = ["name", "slug"]
