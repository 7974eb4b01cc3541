"""Sign-in, two-step, first-run setup, password (and its reset) and user forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.auth import passwords
from app.auth.models import Role
from app.people import phones
from app.settings.forms import OrganizationFields
from app.system.forms import BaseForm

ROLE_CHOICES = [
    SelectChoice(Role.staff.value, "Staff: read and add ordinary notes and contacts"),
    SelectChoice(
        Role.liaison.value, "Liaison: relationships, events, tours, press, sensitive notes"
    ),
    SelectChoice(Role.admin.value, "Admin: everything, including users, exports and the audit log"),
]


def _name_field(label: str = "Name") -> StringField:
    return StringField(
        label,
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Enter a name."), Length(max=120)],
    )


def _email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired("Enter an email address."),
            Length(max=254),
            Email("Enter an email address like name@example.org."),
        ],
    )


class _NewPasswordMixin:
    """A new password and its confirmation, checked against the policy."""

    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password.")],
        description=f"At least {passwords.MIN_LENGTH} characters. A few unrelated words work well.",
    )
    confirm = PasswordField(
        "Type it again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("new_password", "The two passwords don't match."),
        ],
    )

    # Whose password this is, when the form has no email and name fields of its own.
    account: tuple[str, str] = ("", "")

    def validate_new_password(self, field) -> None:
        email = getattr(getattr(self, "email", None), "data", "") or self.account[0]
        name = getattr(getattr(self, "name", None), "data", "") or self.account[1]
        why = passwords.problem(field.data or "", email=email, name=name)
        if why:
            raise ValidationError(why)


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=256)]
    )
    next = HiddenField()


class SetupForm(_NewPasswordMixin, OrganizationFields, BaseForm):
    code = StringField(
        "Setup code",
        validators=[DataRequired("Enter the setup code."), Length(max=40)],
        description="Printed on the server console when Liaison started without any users.",
    )
    org_name = StringField(
        "Your organization's name",
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[DataRequired("Enter your organization's name."), Length(max=120)],
        description="As the public knows it: shown on the tour and media pages, in emails "
                    "and calendar files.",
    )
    name = _name_field("Your name")
    email = _email_field("Your email")
    load_demo = BooleanField("Also load the demo data (a fictional program) to explore")

    def region_for_phones(self) -> str:
        """The country of the chosen time zone: a media line typed without a country code
        is read as a number there (admins can change the region under Settings)."""
        return phones.region_for_zone(self.timezone.data)


class PasswordForm(_NewPasswordMixin, BaseForm):
    """Changing one's password; right after signing in with a one-time password the view
    removes `current_password` (it was just typed)."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=256)],
    )


class ResetPasswordForm(_NewPasswordMixin, BaseForm):
    """Choosing a new password from an emailed link."""


class ForgotPasswordForm(BaseForm):
    email = _email_field("Your email")


class CodeForm(BaseForm):
    """A code from an authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code."),
                    Length(max=40, message="That code is too long.")],
    )


class ConfirmPasswordForm(BaseForm):
    """Re-authentication before a change to how one signs in."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password."), Length(max=256)],
    )


class TwoFactorPolicyForm(BaseForm):
    required = BooleanField("Require two-step sign-in for admins and liaisons")


class NewUserForm(BaseForm):
    name = _name_field()
    email = _email_field()
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.staff.value)


class EditUserForm(BaseForm):
    name = _name_field()
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Can sign in")
