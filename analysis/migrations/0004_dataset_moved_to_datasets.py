# Dataset now lives in the datasets app (same table): point Analysis.dataset at it and drop it from this app's
# state. Nothing changes in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0003_analysis"),
        ("datasets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="analysis",
                    name="dataset",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="analyses", to="datasets.dataset"),
                ),
                migrations.DeleteModel(name="Dataset"),
            ],
            database_operations=[],
        ),
    ]
