"""Need-to-know: staff see their regions' claims; medical documents get their own permission
and an append-only access log (issue 16 point 6).

Staff who exist when this runs keep what they saw before (every region), so an upgrade locks
nobody out; from then on a new staff member sees no claim until given regions.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


PG_UP = """
CREATE OR REPLACE FUNCTION claims_medicalaccess_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the medical access log is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_medicalaccess_no_change BEFORE UPDATE OR DELETE ON claims_medicalaccess
    FOR EACH ROW EXECUTE FUNCTION claims_medicalaccess_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS claims_medicalaccess_no_change ON claims_medicalaccess;
DROP FUNCTION IF EXISTS claims_medicalaccess_append_only();
"""
# SQLite: updates only, as for claim events (a test database is flushed with DELETE there).
SQLITE_UP = [
    "CREATE TRIGGER claims_medicalaccess_no_update BEFORE UPDATE ON claims_medicalaccess "
    "BEGIN SELECT RAISE(ABORT, 'the medical access log is append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS claims_medicalaccess_no_update;",
]


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def existing_staff_keep_every_region(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    StaffProfile = apps.get_model("claims", "StaffProfile")
    Region = apps.get_model("claims", "Region")
    regions = list(Region.objects.all())
    if not regions:
        return
    for user in User.objects.filter(is_staff=True):
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        profile.regions.add(*regions)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_merge_20261201_1629"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="evidence",
            options={
                "ordering": ["claim", "created_at"],
                "permissions": [
                    ("view_medical_evidence", "Can open medical documents (health data)")
                ],
                "verbose_name_plural": "evidence",
            },
        ),
        migrations.AddField(
            model_name="staffprofile",
            name="regions",
            field=models.ManyToManyField(
                blank=True,
                help_text="The staff member sees only the claims of these regions.",
                related_name="staff_profiles",
                to="claims.region",
                verbose_name="regions",
            ),
        ),
        migrations.CreateModel(
            name="MedicalAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[("viewed", "Viewed on the page"), ("downloaded", "Downloaded")],
                        max_length=12,
                        verbose_name="action",
                    ),
                ),
                ("page", models.CharField(blank=True, max_length=200, verbose_name="from page")),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="claims.claim",
                    ),
                ),
                (
                    "evidence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="claims.evidence",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "medical document access",
                "verbose_name_plural": "medical document accesses",
                "ordering": ["-at", "-id"],
                "indexes": [
                    models.Index(fields=["-at", "-id"], name="medicalaccess_recent_idx"),
                    models.Index(fields=["claim", "-at"], name="medicalaccess_claim_idx"),
                    models.Index(fields=["user", "-at"], name="medicalaccess_user_idx"),
                ],
            },
        ),
        migrations.RunPython(triggers_up, triggers_down),
        migrations.RunPython(existing_staff_keep_every_region, migrations.RunPython.noop),
    ]
