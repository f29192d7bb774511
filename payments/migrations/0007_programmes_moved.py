"""State only: foreign keys now point at the models' new apps. The tables stay as they are
(docs/ARCHITECTURE.md, "Moving a model")."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_run_payee_retention"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="expense",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="expenses",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerline",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_lines",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="paymentrun",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment_runs",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="ratecard",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rate_cards",
                        to="programmes.programme",
                    ),
                ),
                migrations.AlterField(
                    model_name="waitingline",
                    name="programme",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programmes.programme",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
