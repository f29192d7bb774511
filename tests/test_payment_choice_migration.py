"""Upgrading moves the profile's payment choice into the dated log of payment choices
(accounts 0012), so no mentor's voucher or volunteer choice is lost when the profile field
goes. Run on a real migration: back to accounts 0011, profiles as they were, then forward."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("accounts", "0011_programmes_and_lists_moved")
AFTER = ("accounts", "0012_payment_choice_into_the_log")


def _migrate(target):
    """Migrate accounts to `target`, every other app staying where it is, and return the
    models as they were at that point."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "accounts"]
    return MigrationExecutor(connection).loader.project_state([*leaves, target]).apps


@pytest.fixture
def migrate(transactional_db):
    yield _migrate
    # Leave the database as every other test expects it: fully migrated.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_copies_voucher_and_volunteer_choices_into_the_log(migrate):
    apps = migrate(BEFORE)
    user_model = apps.get_model("accounts", "User")
    profile_model = apps.get_model("accounts", "MentorProfile")
    log = apps.get_model("payments", "PaymentPreference")
    people = {}
    for name, choice in [
        ("voucher", "voucher"),
        ("unpaid", "unpaid"),
        ("bank", "bank_transfer"),
        ("blank", ""),
        ("logged", "voucher"),
    ]:
        people[name] = user_model.objects.create(email=f"{name}@example.org", display_name=name)
        profile_model.objects.create(user=people[name], payment_preference=choice)
    # Someone who already chose in the log: the log wins, whatever the profile says.
    log.objects.create(mentor=people["logged"], method="charity", charity_name="Become")

    migrate(AFTER)

    from payments.models import PaymentPreference

    rows = {
        (row.mentor.email, row.method, row.has_bank_details, row.charity_name)
        for row in PaymentPreference.objects.select_related("mentor")
    }
    assert rows == {
        ("voucher@example.org", "voucher", False, ""),
        ("unpaid@example.org", "none", False, ""),
        ("logged@example.org", "charity", False, "Become"),
    }


def test_it_stops_rather_than_lose_a_choice_it_does_not_know(migrate):
    apps = migrate(BEFORE)
    user = apps.get_model("accounts", "User").objects.create(email="odd@example.org")
    profiles = apps.get_model("accounts", "MentorProfile").objects
    profiles.create(user=user, payment_preference="cheque")

    with pytest.raises(ValueError, match="cheque"):
        migrate(AFTER)
    # Nothing was migrated: the choice is still on the profile, for someone to decide.
    assert profiles.get(user=user).payment_preference == "cheque"
    profiles.filter(user=user).delete()
