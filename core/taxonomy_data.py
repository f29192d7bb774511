"""The starting topic library and shared lists. Loaded once by a data migration; after
that administrators edit them in the Django admin."""

PCF_DOMAINS = [
    ("professionalism", "Professionalism"),
    ("values-and-ethics", "Values and ethics"),
    ("diversity-and-equality", "Diversity and equality"),
    ("rights-justice", "Rights, justice and economic wellbeing"),
    ("knowledge", "Knowledge"),
    ("critical-reflection", "Critical reflection and analysis"),
    ("skills-and-interventions", "Skills and interventions"),
    ("contexts-and-organisations", "Contexts and organisations"),
    ("professional-leadership", "Professional leadership"),
]

# slug, name, plain description, PCF domains
TOPICS = [
    (
        "bias",
        "Bias in decisions",
        "Noticing the assumptions that shape what we decide.",
        ["values-and-ethics", "diversity-and-equality", "critical-reflection"],
    ),
    (
        "language-that-cares",
        "Language that cares",
        "Using words that respect children and families, not labels.",
        ["values-and-ethics", "skills-and-interventions"],
    ),
    (
        "saying-struggling",
        "Saying \u201cI'm struggling\u201d or \u201cI made a mistake\u201d",
        "Being honest about hard days and learning from them.",
        ["professionalism", "critical-reflection"],
    ),
    (
        "power-and-participation",
        "Power and participation",
        "Sharing power so people shape the decisions about their lives.",
        ["rights-justice", "values-and-ethics", "professional-leadership"],
    ),
    (
        "life-story-work",
        "Life-story work",
        "Helping children understand their own story.",
        ["skills-and-interventions", "knowledge"],
    ),
    (
        "moving-to-adulthood",
        "Moving to adulthood",
        "Support when young people leave care and set up home.",
        ["rights-justice", "contexts-and-organisations", "knowledge"],
    ),
    (
        "family-time",
        "Family time",
        "Time with parents, brothers and sisters, and others.",
        ["skills-and-interventions", "values-and-ethics"],
    ),
    (
        "being-heard-in-reviews",
        "Being heard in reviews",
        "Making meetings about a child work for the child.",
        ["rights-justice", "skills-and-interventions"],
    ),
    (
        "identity-and-belonging",
        "Identity and belonging",
        "Culture, faith, language and feeling you belong.",
        ["diversity-and-equality", "knowledge"],
    ),
    (
        "recording-with-care",
        "Writing records with care",
        "Writing notes and records the person could read one day.",
        ["professionalism", "skills-and-interventions"],
    ),
    (
        "trauma-informed-practice",
        "Trauma-informed practice",
        "Understanding how hard experiences shape behaviour.",
        ["knowledge", "skills-and-interventions"],
    ),
    (
        "education-and-school",
        "School and education",
        "Helping children in care do well at school.",
        ["knowledge", "contexts-and-organisations"],
    ),
    (
        "mental-health",
        "Emotional wellbeing and mental health",
        "Noticing and supporting how young people feel.",
        ["knowledge", "skills-and-interventions"],
    ),
    (
        "moving-homes",
        "Moving homes",
        "What moving from home to home feels like, and how to make it kinder.",
        ["values-and-ethics", "skills-and-interventions"],
    ),
    (
        "relationships-that-last",
        "Relationships that last",
        "Keeping the people who matter in a young person's life.",
        ["values-and-ethics", "skills-and-interventions"],
    ),
]

PRACTICE_AREAS = [
    ("fostering", "Fostering"),
    ("children-in-care", "Children in care"),
    ("leaving-care", "Leaving care and moving to adulthood"),
    ("adoption", "Adoption"),
    ("kinship-care", "Kinship and family care"),
    ("residential-care", "Children's homes"),
    ("child-protection", "Child protection"),
    ("family-support", "Family support and early help"),
    ("youth-justice", "Youth justice"),
    ("disabled-children", "Disabled children's services"),
    ("asylum", "Unaccompanied children seeking asylum"),
    ("adults", "Adult social care"),
]

# slug, name, relevant practice areas
LIVED_EXPERIENCE = [
    ("foster-care", "Foster care", ["fostering", "children-in-care"]),
    (
        "residential-care",
        "Residential care (children's homes)",
        ["residential-care", "children-in-care"],
    ),
    (
        "kinship-care",
        "Kinship care (living with family or friends)",
        ["kinship-care", "family-support"],
    ),
    ("adoption", "Adoption", ["adoption"]),
    ("leaving-care", "Leaving care", ["leaving-care"]),
    ("youth-justice", "Youth justice", ["youth-justice"]),
    ("unaccompanied-asylum", "Arriving alone and seeking asylum", ["asylum", "children-in-care"]),
    ("disabled-childrens-services", "Disabled children's services", ["disabled-children"]),
    ("child-protection", "Child protection", ["child-protection", "family-support"]),
    (
        "parent-with-social-worker",
        "Being a parent with a social worker",
        ["child-protection", "family-support"],
    ),
]

LANGUAGES = [
    ("en", "English"),
    ("cy", "Welsh"),
    ("bsl", "British Sign Language"),
    ("ur", "Urdu"),
    ("pa", "Punjabi"),
    ("bn", "Bengali"),
    ("pl", "Polish"),
    ("ro", "Romanian"),
    ("ar", "Arabic"),
    ("so", "Somali"),
    ("ti", "Tigrinya"),
    ("ku", "Kurdish"),
    ("fa", "Persian (Farsi)"),
    ("ps", "Pashto"),
    ("gu", "Gujarati"),
    ("tr", "Turkish"),
    ("pt", "Portuguese"),
    ("es", "Spanish"),
    ("fr", "French"),
]

LOCAL_AUTHORITIES = [
    ("manchester", "Manchester City Council"),
    ("salford", "Salford City Council"),
    ("trafford", "Trafford Council"),
    ("stockport", "Stockport Council"),
    ("bolton", "Bolton Council"),
    ("oldham", "Oldham Council"),
    ("rochdale", "Rochdale Borough Council"),
    ("wigan", "Wigan Council"),
    ("liverpool", "Liverpool City Council"),
    ("lancashire", "Lancashire County Council"),
    ("leeds", "Leeds City Council"),
    ("bradford", "Bradford Council"),
    ("sheffield", "Sheffield City Council"),
    ("birmingham", "Birmingham City Council"),
    ("leicester", "Leicester City Council"),
    ("nottingham", "Nottingham City Council"),
    ("bristol", "Bristol City Council"),
    ("devon", "Devon County Council"),
    ("kent", "Kent County Council"),
    ("hackney", "London Borough of Hackney"),
    ("camden", "London Borough of Camden"),
    ("lambeth", "London Borough of Lambeth"),
    ("croydon", "London Borough of Croydon"),
    ("newcastle", "Newcastle City Council"),
    ("cardiff", "Cardiff Council"),
    ("glasgow", "Glasgow City Council"),
    ("barnardos", "Barnardo's"),
    ("independent-fostering", "An independent fostering agency"),
    ("other-organisation", "Another organisation"),
]


def load(get_model) -> None:
    """Create whatever of the lists above is missing. Idempotent. `get_model(name)` returns
    a model class of the mentoring app: the historical one in a migration, the real one
    elsewhere."""
    domains = {}
    for position, (slug, name) in enumerate(PCF_DOMAINS):
        domains[slug], _ = get_model("PCFDomain").objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    for slug, name, description, domain_slugs in TOPICS:
        topic, created = get_model("Topic").objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if created:
            topic.pcf_domains.add(*[domains[d] for d in domain_slugs])
    areas = {}
    for slug, name in PRACTICE_AREAS:
        areas[slug], _ = get_model("PracticeArea").objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
    for slug, name, area_slugs in LIVED_EXPERIENCE:
        experience, created = get_model("LivedExperienceArea").objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
        if created:
            experience.relevant_practice_areas.add(*[areas[a] for a in area_slugs])
    for slug, name in LANGUAGES:
        get_model("Language").objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name in LOCAL_AUTHORITIES:
        get_model("LocalAuthority").objects.get_or_create(slug=slug, defaults={"name": name})


def ensure_loaded() -> None:
    """For code outside migrations (demo data, tests after a database flush)."""
    from django.apps import apps

    if not apps.get_model("core", "Topic").objects.exists():
        load(lambda name: apps.get_model("core", name))
