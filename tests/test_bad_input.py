"""Bad input gets a clear message next to the field and loses nothing already typed;
never a 500.

Every form is found, not listed: each MATRIX row with form=True (tests/test_permissions.py)
is opened as the first persona who may see it, and each <form method="post"> in its <main>
is read from the HTML. allauth's pages, and ours that the matrix cannot open directly, are
in EXTRA_FORM_PAGES below. A meta-test fails when a page holds a form the harness misses.

Two tests post to every form. A Hypothesis test mixes hostile values, plausible ones,
omitted fields, lists and unknown extra fields at random. A sweep puts each hand-picked
hostile value (tests/hostile.py) into every field at once, then a few into one field at a
time with plausible values in the rest, so every form sees every kind whatever Hypothesis
picks, and the values that pass validation reach the code that saves. Each post is rolled
back afterwards, so every one meets the page as it first was. Each answer must be:

1. below 500 (exceptions propagate, so the traceback shows), and a 200 or a redirect
   unless the test tampered with hidden fields or the button;
2. when the form comes back with an error summary: each summary link points at an element
   in the page, each field it names has its message inside its -group, and what was typed
   into text boxes and chosen in choices is shown again;
3. free of the test's script tags, unescaped;
4. a same-site address, when it is a redirect;
5. when the form comes back without an error summary, at least a message;
6. and no row may hold what PostgreSQL refuses and SQLite stores (varchar overflow, NUL
   characters, small-integer overflow), nor text silently cut to fit its column.

Runs derandomised, so CI sees the same examples every time. For a deeper, random run:
BAD_INPUT_EXAMPLES=300 BAD_INPUT_RANDOM=1 pytest tests/test_bad_input.py -p no:playwright
"""

import os
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from core.models import Taxonomy
from programmes.models import Invitation
from tests import hostile
from tests.conftest import PERSONAS
from tests.factories import PASSWORD, sign_in
from tests.test_permissions import MATRIX

# Pages


@dataclass(frozen=True)
class FormPage:
    name: str  # the URL name, also the test id
    persona: str
    url: Callable  # url(world) -> str
    setup: Callable | None = None  # setup(world, client), after signing in
    # Plausible values for some fields, so that forms sometimes succeed and the success
    # path sees hostile values in the other fields.
    plausible: dict[str, list[str]] = field(default_factory=dict)


def first_persona_who_sees(row) -> str | None:
    return next((p for p in PERSONAS if row.expect[p] == 200), None)


def _matrix_url(name, row):
    return lambda w: reverse(name, kwargs=row.kwargs(w) if row.kwargs else {})


def matrix_form_pages() -> list[FormPage]:
    pages = []
    for name, row in MATRIX.items():
        if row.form:
            persona = first_persona_who_sees(row)
            assert persona, f"{name} has form=True but nobody gets a 200 from it"
            pages.append(FormPage(name, persona, _matrix_url(name, row)))
    return pages


def mark_recently_signed_in(world, client, persona="mentor"):
    """What allauth records after someone types their password again, so pages that ask
    for it (changing email or password, two-factor set-up) let the test straight in."""
    user = fresh(world, persona)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def give_consent(world, client):
    profile = account_services.mentor_profile_for(world.mentor)
    account_services.mentor_consent_give(profile=profile, by=world.mentor)


def halfway_signed_in(world, client):
    """The coordinator has typed their password; allauth now asks for their code."""
    response = client.post(
        reverse("account_login"), {"login": world.coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("mfa_authenticate"), response["Location"]


def _password_reset_link(world):
    user = fresh(world, "mentor")  # the key depends on the password, which a post may change
    key = default_token_generator.make_token(user)
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )


def _url(name):
    return lambda w: reverse(name)


NEW_PASSWORD = "a brand-new passphrase for 2026"

# Forms the matrix cannot open: allauth's own pages, and pages that need a step first.
EXTRA_FORM_PAGES = [
    FormPage(
        "account_signup",
        "anonymous",
        _url("account_signup"),
        plausible={
            "display_name": ["Robin"],
            "email": ["robin@example.org"],
            "password1": [NEW_PASSWORD],
            "password2": [NEW_PASSWORD],
        },
    ),
    FormPage(
        "account_login",
        "anonymous",
        _url("account_login"),
        plausible={"login": ["sam@example.test"], "password": [PASSWORD]},
    ),
    FormPage(
        "account_reset_password",
        "anonymous",
        _url("account_reset_password"),
        plausible={"email": ["sam@example.test"]},
    ),
    FormPage(
        "account_reset_password_from_key",
        "anonymous",
        _password_reset_link,
        plausible={"password1": [NEW_PASSWORD], "password2": [NEW_PASSWORD]},
    ),
    FormPage(
        "account_change_password",
        "mentor",
        _url("account_change_password"),
        setup=mark_recently_signed_in,
    ),
    FormPage(
        "account_email",
        "mentor",
        _url("account_email"),
        setup=mark_recently_signed_in,
        plausible={"email": ["sam.new@example.org"]},
    ),
    FormPage("account_reauthenticate", "mentor", _url("account_reauthenticate")),
    FormPage(
        "mfa_activate_totp", "mentor", _url("mfa_activate_totp"), setup=mark_recently_signed_in
    ),
    FormPage("mfa_reauthenticate", "coordinator", _url("mfa_reauthenticate")),
    FormPage("mfa_authenticate", "anonymous", _url("mfa_authenticate"), setup=halfway_signed_in),
    # Needs consent first, so the matrix sees a redirect.
    FormPage(
        "portal:mentor_experience_edit",
        "mentor",
        _url("portal:mentor_experience_edit"),
        setup=give_consent,
    ),
]


def form_pages() -> list[FormPage]:
    """The matrix's form pages, with set-up and plausible values from EXTRA_FORM_PAGES when
    a page is in both, then the extra pages the matrix does not open."""
    extras = {page.name: page for page in EXTRA_FORM_PAGES}
    pages = []
    for page in matrix_form_pages():
        extra = extras.pop(page.name, None)
        if extra and extra.persona == page.persona:
            page = FormPage(page.name, page.persona, page.url, extra.setup, extra.plausible)
        pages.append(page)
    return pages + list(extras.values())


FORM_PAGES = form_pages()
FORM_PAGE_IDS = [page.name for page in FORM_PAGES]


# Reading HTML with the standard library

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Node"]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag) and (cls is None or cls in node.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> "Node | None":
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def contains(self, other: "Node") -> bool:
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: "" if v is None else v for k, v in reversed(attrs)}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: "" if v is None else v for k, v in reversed(attrs)}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


TEXT_KINDS = {"text", "email", "password", "number", "search", "tel", "url", "textarea"}
NOT_TYPED = {"hidden", "submit", "button", "image", "reset", "checkbox", "radio", "file"}
SINGLE_CHOICE_KINDS = {"select", "radio"}
MULTIPLE_CHOICE_KINDS = {"select-multiple", "checkbox-group"}


@dataclass
class Field:
    name: str
    kind: str
    options: list[str] = field(default_factory=list)
    value: str = ""  # what the page shows now
    selected: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    action: str
    fields: dict[str, Field]
    buttons: list[tuple[str, str]]  # the named submit buttons: (name, value)

    def visible_names(self) -> set[str]:
        return {name for name, f in self.fields.items() if f.kind != "hidden"}


def _input_kind(node: Node) -> str:
    kind = node.attrs.get("type", "text").lower() or "text"
    return kind if kind in NOT_TYPED or kind in TEXT_KINDS else "text"


def read_form(form: Node, page_url: str) -> PageForm:
    fields: dict[str, Field] = {}
    buttons: list[tuple[str, str]] = []
    checkboxes: dict[str, list[Node]] = {}
    for node in form.iter():
        name = node.attrs.get("name")
        if node.tag == "button" and node.attrs.get("type", "submit") == "submit":
            if name:
                buttons.append((name, node.attrs.get("value", "")))
        elif node.tag == "input" and name:
            kind = _input_kind(node)
            if kind in {"submit", "image"}:
                buttons.append((name, node.attrs.get("value", "")))
            elif kind == "checkbox":
                checkboxes.setdefault(name, []).append(node)
            elif kind == "radio":
                radio = fields.setdefault(name, Field(name, "radio"))
                radio.options.append(node.attrs.get("value", "on"))
                if "checked" in node.attrs:
                    radio.selected = [node.attrs.get("value", "on")]
            elif kind not in {"button", "reset", "file"}:
                fields.setdefault(name, Field(name, kind, value=node.attrs.get("value", "")))
        elif node.tag == "textarea" and name:
            # Browsers drop one newline straight after <textarea>; Django writes one there.
            fields[name] = Field(name, "textarea", value=node.text().removeprefix("\n"))
        elif node.tag == "select" and name:
            options = node.find_all("option")
            fields[name] = Field(
                name,
                "select-multiple" if "multiple" in node.attrs else "select",
                options=[o.attrs.get("value", o.text()) for o in options],
                selected=[o.attrs.get("value", o.text()) for o in options if "selected" in o.attrs],
            )
    for name, boxes in checkboxes.items():
        values = [box.attrs.get("value", "on") for box in boxes]
        ticked = [box.attrs.get("value", "on") for box in boxes if "checked" in box.attrs]
        kind = "checkbox-group" if len(boxes) > 1 else "checkbox"
        fields[name] = Field(name, kind, options=values, selected=ticked)
    action = urljoin(page_url, form.attrs.get("action") or page_url)
    return PageForm(action=action, fields=fields, buttons=buttons)


def post_forms_in_main(html: str | Node, page_url: str) -> list[PageForm]:
    main = (parse_html(html) if isinstance(html, str) else html).find("main")
    if main is None:
        return []
    return [
        read_form(form, page_url)
        for form in main.find_all("form")
        if form.attrs.get("method", "get").lower() == "post"
    ]


def has_fields_to_type_in(form: PageForm) -> bool:
    """A form someone types into or chooses from, not just a button."""
    return any(
        f.kind in TEXT_KINDS or f.kind in {"select", "select-multiple"}
        for f in form.fields.values()
    )


# Opening a page as a persona


def fresh(world, persona: str):
    """The persona as the database has them now: an earlier post may have changed them."""
    person = getattr(world, persona)
    return type(person).objects.get(pk=person.pk)


def sign_in_as(client, world, persona: str) -> None:
    client.logout()
    if persona != "anonymous":
        sign_in(client, fresh(world, persona))


def session_key(client) -> str | None:
    """The session the client's cookie names: it changes when someone signs in or out."""
    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def open_form_page(page: FormPage, world, client) -> tuple[str, list[PageForm]]:
    # Rate limits count in the cache; a clean one lets every example reach the form.
    cache.clear()
    sign_in_as(client, world, page.persona)
    if page.setup:
        page.setup(world, client)
    response = client.get(page.url(world), follow=True)
    assert response.status_code == 200, f"{page.name} as {page.persona}: {response.status_code}"
    url = response.request["PATH_INFO"]
    forms = post_forms_in_main(response.content.decode(), url)
    assert forms, f"{page.name} as {page.persona} shows no form at {url}"
    return url, forms


# What to post

OMIT = object()
EXTRA_NAMES = ["next", "is_staff", "is_superuser", "user", "person", "id", "status", "verified"]


def _weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Pick a strategy by weight. Hypothesis shrinks towards the first, so it comes first
    and is the gentlest."""
    indices = [i for i, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(indices).flatmap(lambda i: choices[i][1])


def _plausible_text(f: Field, plausible: list[str]) -> st.SearchStrategy[str]:
    usual = {
        "email": ["someone@example.org"],
        "number": ["2"],
        "password": ["not the right password 1"],
        "textarea": ["A few kind words.\nOn two lines."],
    }.get(f.kind, ["Sam"])
    return st.sampled_from([*plausible, *([f.value] if f.value else []), *usual])


def value_for(f: Field, plausible: list[str]) -> st.SearchStrategy:
    bad = hostile.hostile_values()
    if f.kind == "hidden":
        return _weighted(
            (6, st.just(f.value)), (1, bad), (1, st.just(OMIT)), (1, hostile.several(bad))
        )
    if f.kind in TEXT_KINDS:
        return _weighted(
            (2, _plausible_text(f, plausible)),
            (4, bad),
            (1, st.just(OMIT)),
            (1, hostile.several(bad)),
        )
    options = st.sampled_from(f.options) if f.options else st.just("")
    if f.kind in SINGLE_CHOICE_KINDS:
        return _weighted(
            (3, options),
            (2, st.one_of(hostile.unknown_ids(), bad)),
            (1, st.just(OMIT)),
            (1, hostile.several(st.one_of(options, hostile.unknown_ids(), bad))),
        )
    if f.kind in MULTIPLE_CHOICE_KINDS:
        return _weighted(
            (3, st.lists(options, unique=True, max_size=len(f.options) or 1)),
            (2, st.lists(st.one_of(options, hostile.unknown_ids(), bad), min_size=1, max_size=6)),
            (1, bad),
            (1, st.just(OMIT)),
        )
    # A single checkbox.
    return _weighted(
        (3, st.just(f.options[0] if f.options else "on")),
        (2, st.just(OMIT)),
        (1, bad),
        (1, hostile.several(bad)),
    )


def values_for(form: PageForm, plausible: dict[str, list[str]]) -> st.SearchStrategy[dict]:
    parts = {name: value_for(f, plausible.get(name, [])) for name, f in form.fields.items()}
    if form.buttons:
        # A browser sends the one button that was pressed.
        parts["(button)"] = _weighted((6, st.sampled_from(form.buttons)), (1, st.just(OMIT)))
    extra_names = [n for n in EXTRA_NAMES if n not in form.fields]
    extras = st.dictionaries(st.sampled_from(extra_names), hostile.hostile_values(), max_size=2)

    def assemble(drawn):
        chosen, extra = drawn
        data = {}
        for name, value in chosen.items():
            if value is OMIT:
                continue
            if name == "(button)":
                data[value[0]] = value[1]
            else:
                data[name] = value
        return {**extra, **data}

    return st.tuples(st.fixed_dictionaries(parts), _weighted((3, st.just({})), (1, extras))).map(
        assemble
    )


def tampered(form: PageForm, data: dict) -> bool:
    """Did the post change what the page itself set: hidden fields and the button?"""
    for name, f in form.fields.items():
        if f.kind == "hidden" and data.get(name, OMIT) != f.value:
            return True
    pressed = any(data.get(name, OMIT) == value for name, value in form.buttons)
    return bool(form.buttons) and not pressed


# What every answer must be


def _short(value, limit=80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} chars)"


def _last(value):
    return value[-1] if isinstance(value, list) else value


def _same_text(shown: str, typed: str) -> bool:
    # Fields strip surrounding whitespace, and browsers send line breaks as \r\n; both
    # are fine. Anything else lost or changed is not.
    def norm(s):
        return s.replace("\r\n", "\n").replace("\r", "\n").strip()

    return shown == typed or norm(shown) == norm(typed)


def matching_form(forms: list[PageForm], posted: PageForm) -> PageForm | None:
    wanted = posted.visible_names()
    best = max(forms, key=lambda f: len(f.visible_names() & wanted), default=None)
    if best is None or not (best.visible_names() & wanted):
        return None
    return best


def check_error_summary(tree: Node, summary: Node, where: str) -> None:
    by_id = {node.attrs["id"]: node for node in tree.iter() if "id" in node.attrs}
    for item in summary.find_all("li"):
        assert item.text().strip(), f"{where}: an empty line in the error summary"
    for link in summary.find_all("a"):
        href = link.attrs.get("href", "")
        assert href.startswith("#"), f"{where}: error summary link {href!r} leaves the page"
        target = href[1:]
        assert target in by_id, f"{where}: error summary links to #{target}, not in the page"
        auto_id = target.removesuffix("-group")
        group = by_id.get(f"{auto_id}-group")
        assert group is not None, f"{where}: no #{auto_id}-group around the field {target}"
        # Django names it <id>_error, for the field's aria-describedby; -error was ours.
        message = by_id.get(f"{auto_id}_error") or by_id.get(f"{auto_id}-error")
        assert message is not None and "error-message" in message.classes, (
            f"{where}: the summary names {auto_id} ({link.text().strip()!r}) but the field "
            f"has no .error-message #{auto_id}_error"
        )
        assert group.contains(message), f"{where}: #{auto_id}_error is not next to its field"
        assert message.text().replace("Error:", "").strip(), f"{where}: empty #{auto_id}_error"


def check_nothing_lost(again: PageForm, posted: PageForm, data: dict, where: str) -> None:
    for name, f in posted.fields.items():
        if name not in data or name not in again.fields:
            continue
        shown = again.fields[name]
        sent = data[name]
        if f.kind in TEXT_KINDS and f.kind != "password":
            typed = _last(sent)
            if "\x00" in typed:
                continue  # refused with a message; a browser cannot type it anyway
            assert _same_text(shown.value, typed), (
                f"{where}: {name} was re-shown as {_short(shown.value)}, "
                f"but the person typed {_short(typed)}"
            )
        elif f.kind in SINGLE_CHOICE_KINDS:
            chosen = _last(sent)
            if chosen in f.options and chosen:
                assert chosen in shown.selected, (
                    f"{where}: {name} lost the choice {chosen!r}; shows {shown.selected!r}"
                )
        elif f.kind in MULTIPLE_CHOICE_KINDS:
            sent_values = sent if isinstance(sent, list) else [sent]
            lost = [v for v in sent_values if v in f.options and v not in shown.selected]
            assert not lost, f"{where}: {name} lost the ticks {lost!r}"


def check_answer(response, *, page: FormPage, url: str, form: PageForm, data: dict) -> None:
    where = f"{page.name} as {page.persona}, POST {form.action}"
    changed_hidden = tampered(form, data)
    status = response.status_code
    assert status < 500, f"{where}: {status}"
    if not changed_hidden:
        assert status in (200, 302, 303), (
            f"{where}: answered {status}; bad input typed into a form needs a message next to "
            "the field, not an error page"
        )
    body = response.content.decode(response.charset or "utf-8", errors="replace")
    for marker in hostile.XSS_MARKERS:
        assert marker not in body, f"{where}: {marker} reached the page unescaped"
    if 300 <= status < 400:
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), (
            f"{where}: redirects off the site, to {location!r}"
        )
        return
    if status != 200 or "html" not in response.get("Content-Type", ""):
        return
    tree = parse_html(body)
    main = tree.find("main")
    assert main is not None, f"{where}: the page has no <main>"
    again = matching_form(post_forms_in_main(tree, url), form)
    summary = main.find(cls="error-summary")
    if summary is None:
        if changed_hidden or again is None:
            return
        said = " ".join(n.text().strip() for n in main.find_all(cls="messages"))
        assert said, f"{where}: the form came back with no error summary and no message"
        return
    check_error_summary(tree, summary, where)
    if again is not None:
        check_nothing_lost(again, form, data, where)


# What was saved, checked on every row after each post: rules SQLite does not enforce but
# PostgreSQL does, and text cut short to fit its column without a word to the person.

INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# Where forms write: ours and allauth's. The seeded lists (topics, languages...) are
# edited only in the Django admin, so they are left out to keep each check quick.
WRITTEN_APPS = {"accounts", "programmes", "mentoring", "matching", "account", "mfa"}


def _typed_texts(data: dict) -> list[str]:
    values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
    return [v.strip().lower() for v in values if isinstance(v, str)]


# The statements that write rows, and the table each writes to (Django quotes the names).
WRITE_SQL = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE)\s+"?([\w.]+)"?', re.IGNORECASE)


@contextmanager
def tables_written():
    """The tables the code run inside inserts into or updates, read from its SQL: a post can
    only have saved a bad row in one of these, so only these are checked after it."""
    written: set[str] = set()

    def record(execute, sql, params, many, context):
        match = WRITE_SQL.match(sql)
        if match:
            written.add(match[1])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield written


def saved_problems(data: dict | None = None, tables: set[str] | None = None) -> list[str]:
    """Problems in the rows of our tables (only `tables`, when given)."""
    typed = _typed_texts(data or {})
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in WRITTEN_APPS or issubclass(model, Taxonomy):
            continue
        if tables is not None and model._meta.db_table not in tables:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        checked = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            or (f.get_internal_type() in INTEGER_RANGES and not f.primary_key)
        ]
        if not checked:
            continue
        names = [f.attname for f in checked]
        for pk, *values in model._base_manager.values_list("pk", *names):
            for f, value in zip(checked, values, strict=True):
                where = f"{model._meta.label}.{f.name} (pk {pk})"
                if isinstance(value, str):
                    if "\x00" in value:
                        problems.append(f"{where} holds a NUL character: {_short(value)}")
                    limit = f.max_length if isinstance(f, models.CharField) else None
                    if limit and len(value) > limit:
                        problems.append(
                            f"{where} holds {len(value)} characters, more than its "
                            f"max_length {limit}, which PostgreSQL refuses: {_short(value)}"
                        )
                    # Short codes and defaults (a currency "GBP", a status) can match the start
                    # of random text by chance; cutting matters for what people type.
                    if limit and limit >= 20 and len(value) == limit and value != f.get_default():
                        cut = value.lower()
                        if any(len(t) > limit and t.startswith(cut) for t in typed):
                            problems.append(
                                f"{where} holds the first {limit} characters of what was "
                                f"typed, silently cut short: {_short(value)}"
                            )
                elif isinstance(value, int):
                    low, high = INTEGER_RANGES[f.get_internal_type()]
                    if not low <= value <= high:
                        problems.append(f"{where} holds {value}, outside {low}..{high}")
    return problems


def post_and_check(client, *, page: FormPage, url: str, form: PageForm, data: dict):
    cache.clear()  # so rate limits, which work, do not hide what comes after them
    with tables_written() as tables:
        response = client.post(form.action, data)
    check_answer(response, page=page, url=url, form=form, data=data)
    problems = saved_problems(data, tables)
    assert not problems, f"{page.name}: saved what it should have refused: {problems}"
    return response


# The tests


@contextmanager
def rolled_back():
    """Each example starts from the same database, so Hypothesis can replay and shrink it
    (a saved email address, say, would otherwise change the next page's form)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "15"))
HARNESS_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("BAD_INPUT_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("form_page", FORM_PAGES, ids=FORM_PAGE_IDS)
@HARNESS_SETTINGS
@given(draw=st.data())
def test_it_survives_random_hostile_input_to_every_form(form_page, draw, world, client):
    index, count = 0, 1
    while index < count:
        with rolled_back():
            # Each form is posted from a freshly opened page, as a person would.
            url, forms = open_form_page(form_page, world, client)
            form, count = forms[index], len(forms)
            data = draw.draw(values_for(form, form_page.plausible), label=f"form {index + 1}")
            post_and_check(client, page=form_page, url=url, form=form, data=data)
        index += 1


SWEEP = [*hostile.CLASSIC, *hostile.LONG]
# Also sent as a list of two where one value is expected, the hostile one last (it wins).
SWEEP_AS_LISTS = [hostile.XSS, "\x00", hostile.LONG[0], "999999", "-1", "abc", "9" * 30]
# Sent into one text box at a time while the others hold plausible values, so they reach
# the code that saves: values a form might accept but the database might not. (Choices
# need no such pass: a hostile choice never validates, and every field is checked anyway.)
SWEEP_ONE_FIELD = [hostile.LONG_EMAIL, hostile.LONG[0], "\x00", "9" * 30, "-1", hostile.XSS]


def plausible_data(form: PageForm, page: FormPage) -> dict:
    """What a careful person would send: the page's own values, or plausible ones."""
    data = {}
    for name, f in form.fields.items():
        if f.kind == "hidden":
            data[name] = f.value
        elif f.kind in TEXT_KINDS:
            data[name] = (page.plausible.get(name) or [f.value or ""])[0] or "Sam"
        elif f.kind in MULTIPLE_CHOICE_KINDS:
            data[name] = f.selected or [o for o in f.options if o][:1]
        elif f.kind in SINGLE_CHOICE_KINDS:
            data[name] = (f.selected or [o for o in f.options if o] or [""])[0]
        else:
            data[name] = f.options[0] if f.options else "on"
    if form.buttons:
        data.update([form.buttons[0]])
    return data


def sweep_recipes(form: PageForm) -> list[tuple[str | None, object]]:
    """(field, value) pairs; field None means every field but the hidden ones."""
    everywhere = [(None, value) for value in SWEEP]
    as_lists = [(None, ["x", value]) for value in SWEEP_AS_LISTS]
    one_field = [
        (name, value)
        for name, f in form.fields.items()
        if f.kind in TEXT_KINDS
        for value in SWEEP_ONE_FIELD
    ]
    return everywhere + as_lists + one_field


def sweep_data(form: PageForm, page: FormPage, target: str | None, value) -> dict:
    data = plausible_data(form, page)
    for name, f in form.fields.items():
        if f.kind != "hidden" and target in (None, name):
            data[name] = value
    return data


@pytest.mark.parametrize("form_page", FORM_PAGES, ids=FORM_PAGE_IDS)
def test_it_answers_every_classic_bad_value_in_every_field(form_page, world, client):
    """Each hand-picked hostile value in every field at once, then a few in one field at a
    time. Each post is undone afterwards, so each meets the page as it first was."""
    url, forms = open_form_page(form_page, world, client)
    signed_in_as = session_key(client)
    for index in range(len(forms)):
        if not forms[index].visible_names():
            continue  # nothing to type into; the random test tampers with these
        for target, value in sweep_recipes(forms[index]):
            form = forms[index]
            data = sweep_data(form, form_page, target, value)
            try:
                with rolled_back():
                    response = post_and_check(client, page=form_page, url=url, form=form, data=data)
            except Exception as error:
                error.add_note(f"Posted to {form.action}: {_short(data, 600)}")
                raise
            if response.status_code != 200 and session_key(client) != signed_in_as:
                # It signed someone in or out: start again from a fresh page. (A post that
                # worked otherwise was undone, so the page it came from is as it was.)
                url, forms = open_form_page(form_page, world, client)
                signed_in_as = session_key(client)


def pages_with_unmarked_forms(world, client) -> list[str]:
    """MATRIX rows whose page holds a form with fields to fill in, but not form=True."""
    missing = []
    for name, row in MATRIX.items():
        persona = first_persona_who_sees(row)
        if persona is None or row.form:
            continue
        sign_in_as(client, world, persona)
        url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else {})
        response = client.get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        forms = post_forms_in_main(response.content.decode(), url)
        if any(has_fields_to_type_in(form) for form in forms):
            missing.append(name)
    return missing


def test_it_covers_every_page_with_a_form(world, client):
    """A page whose form holds fields to fill in must be marked form=True in the MATRIX,
    so the tests above post to it. Pages the matrix cannot open sit in EXTRA_FORM_PAGES."""
    missing = pages_with_unmarked_forms(world, client)
    assert missing == [], "Mark these rows form=True in tests/test_permissions.py"


def test_it_notices_a_form_the_matrix_does_not_mark(world, client, monkeypatch):
    monkeypatch.setattr(MATRIX["programmes:programme_apply"], "form", False)
    assert pages_with_unmarked_forms(world, client) == ["programmes:programme_apply"]


def test_it_reads_forms_the_way_the_meta_test_needs():
    """The form reader finds fields in <main> only, and tells buttons from fields."""
    html = """
    <header><form method="post"><input name="q"></form></header>
    <main>
      <form method="post"><input type="hidden" name="decision" value="admit">
        <button name="go">Go</button></form>
      <form method="post" action="/elsewhere/">
        <input type="text" name="title" value="a &amp; b">
        <textarea name="body">
    hello</textarea>
        <select name="colour"><option value="">Pick</option><option value="red" selected>Red
        </option></select>
        <input type="checkbox" name="tags" value="1" checked><input type="checkbox" name="tags"
          value="2">
        <input type="radio" name="size" value="s"><input type="radio" name="size" value="m">
      </form>
      <form method="get"><input name="search"></form>
    </main>
    """
    buttons_only, full = post_forms_in_main(html, "/page/")
    assert not has_fields_to_type_in(buttons_only)
    assert buttons_only.buttons == [("go", "")]
    assert buttons_only.fields["decision"].value == "admit"
    assert has_fields_to_type_in(full)
    assert full.action == "/elsewhere/"
    assert full.fields["title"].value == "a & b"
    assert full.fields["body"].value == "    hello"
    assert full.fields["colour"].selected == ["red"]
    assert full.fields["tags"].kind == "checkbox-group"
    assert full.fields["tags"].selected == ["1"]
    assert full.fields["size"].options == ["s", "m"]


def test_it_notices_what_the_database_should_not_hold(world):
    """The row check finds a too-long value and a NUL, which SQLite happily stores, and a
    value cut short to fit."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("this database refuses such rows itself; the check stands in for it on SQLite")
    Invitation.objects.create(programme=world.programme, role="mentor", note="x" * 201)
    Invitation.objects.create(programme=world.programme, role="mentor", note="a\x00b")
    Invitation.objects.create(programme=world.programme, role="mentor", note="y" * 200)
    problems = saved_problems({"note": "Y" * 250})
    assert any("more than its max_length 200" in p for p in problems), problems
    assert any("NUL" in p for p in problems), problems
    assert any("silently cut short" in p for p in problems), problems


def test_it_checks_the_tables_a_post_wrote_to(world):
    """Only the tables written after a post are checked: the tracker must see every write,
    or a bad row would go unchecked."""
    with tables_written() as tables:
        invitation = Invitation.objects.create(programme=world.programme, role="mentor")
        Invitation.objects.filter(pk=invitation.pk).update(note="for Sam")
        world.mentor.save(update_fields=["display_name"])
    assert {Invitation._meta.db_table, world.mentor._meta.db_table} <= tables
    with tables_written() as tables:
        list(Invitation.objects.all())
    assert tables == set()


def test_it_spots_a_missing_message_next_to_a_field():
    """check_error_summary fails when the summary names a field with no message beside it."""
    html = """<main><div class="error-summary"><ul><li><a href="#id_name">Enter a name</a>
    </li></ul></div><div class="field" id="id_name-group"><input id="id_name"></div></main>"""
    tree = parse_html(html)
    with pytest.raises(AssertionError, match="no .error-message"):
        check_error_summary(tree, tree.find(cls="error-summary"), "test")


def test_it_spots_a_value_lost_on_the_way_back():
    """check_nothing_lost fails when a typed value or a choice is not shown again."""
    posted = PageForm(
        "/f/", {"name": Field("name", "text"), "colour": Field("colour", "select", ["r"])}, []
    )
    again = PageForm(
        "/f/", {"name": Field("name", "text"), "colour": Field("colour", "select", ["r"])}, []
    )
    with pytest.raises(AssertionError, match="name was re-shown"):
        check_nothing_lost(again, posted, {"name": "Robin"}, "test")
    with pytest.raises(AssertionError, match="lost the choice"):
        check_nothing_lost(again, posted, {"colour": "r"}, "test")
    again.fields["name"].value = "Robin"
    check_nothing_lost(again, posted, {"name": "  Robin \r\n"}, "test")
