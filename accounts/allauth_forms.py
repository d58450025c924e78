"""allauth's own forms, with the portal's sentence-case labels. Kept apart from forms.py,
which allauth imports for the sign-up form."""

from allauth.account import forms as allauth_forms


class SentenceCaseLabelsMixin:
    """allauth labels its fields in Title Case; the portal writes labels in sentence case."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                label = str(field.label)
                field.label = label[:1] + label[1:].lower()


class LoginForm(SentenceCaseLabelsMixin, allauth_forms.LoginForm):
    pass


class ResetPasswordKeyForm(SentenceCaseLabelsMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(SentenceCaseLabelsMixin, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(SentenceCaseLabelsMixin, allauth_forms.SetPasswordForm):
    pass
