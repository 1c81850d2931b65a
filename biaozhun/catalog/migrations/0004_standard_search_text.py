from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0003_code_collation_c"),
    ]

    operations = [
        migrations.AddField(
            model_name="standard",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False,
                                   verbose_name="检索文本"),
        ),
    ]
