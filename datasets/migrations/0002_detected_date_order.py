# The sniff's date order is stored under its own name (`date_order`, as ingest.sniffing.Sniffed calls it) instead of
# being renamed to `date_format` on the way in and back on the way out.

from django.db import migrations


def rename_key(apps, schema_editor, old="date_format", new="date_order"):
    Dataset = apps.get_model("datasets", "Dataset")
    for dataset in Dataset.objects.filter(detected__has_key=old).only("pk", "detected").iterator():
        detected = dict(dataset.detected)
        detected[new] = detected.pop(old)
        Dataset.objects.filter(pk=dataset.pk).update(detected=detected)


def rename_key_back(apps, schema_editor):
    rename_key(apps, schema_editor, old="date_order", new="date_format")


class Migration(migrations.Migration):

    dependencies = [("datasets", "0001_initial")]

    operations = [migrations.RunPython(rename_key, rename_key_back)]
