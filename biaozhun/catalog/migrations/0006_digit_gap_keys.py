"""Lookup keys written without the space where two digits meet.

Bulk imports stripped every space from the keys of mandatory local standards (`DB31 123-2020`
stored as `DB31123-2020`, the key of `DB3112 3-2020`), so no search, lookup or validity check
found them; the synthetic generator re-parsed six-digit undated numbers (`DB31/T 101991` read
as `DB31/T 10-1991`). Keys are recomputed with `codes.compact`, as every writer now does, and
relations whose ends now match an edition are linked to it. Idempotent.
"""

from django.db import migrations
from django.db.models import Q

BATCH = 2000


def recompute_keys(apps, schema_editor):
    from biaozhun import codes

    Standard = apps.get_model("catalog", "Standard")
    Relation = apps.get_model("catalog", "StandardRelation")
    suspects = Standard.objects.filter(Q(code__regex=r"[0-9] [0-9]")
                                       | Q(number__regex=r"^[0-9]{6}")).only(
        "id", "code", "prefix", "number", "code_norm", "undated_norm").order_by("id")
    changed, fixed = [], {}
    for row in suspects.iterator(chunk_size=BATCH):
        keys = codes.compact(row.code), codes.compact(f"{row.prefix} {row.number}")
        if keys != (row.code_norm, row.undated_norm):
            row.code_norm, row.undated_norm = keys
            changed.append(row)
            fixed[row.code_norm] = row.id
        if len(changed) >= BATCH:
            Standard.objects.bulk_update(changed, ["code_norm", "undated_norm"])
            changed = []
    Standard.objects.bulk_update(changed, ["code_norm", "undated_norm"])

    relations = []
    for relation in Relation.objects.filter(Q(source_code__regex=r"[0-9] [0-9]")
                                            | Q(target_code__regex=r"[0-9] [0-9]")):
        for end in ("source", "target"):
            try:
                norm = codes.code_norm(getattr(relation, f"{end}_code"))
            except codes.CodeError:
                continue
            setattr(relation, f"{end}_code_norm", norm)
            if getattr(relation, f"{end}_id") is None and norm in fixed:
                setattr(relation, f"{end}_id", fixed[norm])
        relations.append(relation)
    Relation.objects.bulk_update(relations, ["source_code_norm", "target_code_norm",
                                             "source", "target"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_standardalias"),
    ]

    operations = [
        migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True),
    ]
