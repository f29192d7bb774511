"""Shared lists: the topic library, practice areas, areas of lived experience, languages and
councils, seeded by a data migration and editable in the Django admin.

These models began in `mentoring`, so their tables keep the `mentoring_` names
(docs/ARCHITECTURE.md, "Moving a model").
"""

from django.db import models


class Taxonomy(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PCFDomain(Taxonomy):
    """A domain of the Professional Capabilities Framework for social workers."""

    position = models.PositiveSmallIntegerField(default=0)

    class Meta(Taxonomy.Meta):
        db_table = "mentoring_pcfdomain"
        ordering = ["position", "name"]
        verbose_name = "PCF domain"


class Topic(Taxonomy):
    """Something a practitioner can learn and a mentor can offer."""

    pcf_domains = models.ManyToManyField(PCFDomain, blank=True, related_name="topics")

    class Meta(Taxonomy.Meta):
        db_table = "mentoring_topic"


class PracticeArea(Taxonomy):
    """Where a practitioner works, such as fostering or leaving care."""

    class Meta(Taxonomy.Meta):
        db_table = "mentoring_practicearea"


class LivedExperienceArea(Taxonomy):
    """An area of care experience a mentor may choose to share."""

    relevant_practice_areas = models.ManyToManyField(
        PracticeArea,
        blank=True,
        related_name="relevant_experience",
        help_text="Practice areas where this experience is most relevant.",
    )

    class Meta(Taxonomy.Meta):
        db_table = "mentoring_livedexperiencearea"


class Language(Taxonomy):
    class Meta(Taxonomy.Meta):
        db_table = "mentoring_language"


class LocalAuthority(Taxonomy):
    """A council or organisation that employs practitioners or looked after children."""

    class Meta(Taxonomy.Meta):
        db_table = "mentoring_localauthority"
        verbose_name_plural = "local authorities"
