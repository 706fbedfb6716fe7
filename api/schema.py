"""The OpenAPI schema (drf-spectacular), read from the views' own declarations (api.base.ApiView): the body and
query serializers of each method, its documented success code, and the permissions it needs (in each
operation's description). api.docs serves it; api.metadata answers OPTIONS from the same declarations."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes

from .permissions import PUBLIC

ERRORS = {400: "a field per error", 401: "no or a bad token", 403: "a permission is missing", 404: "no such record"}


class DeclaredSchema(AutoSchema):
    def get_request_serializer(self):
        return getattr(self.view, "body_serializers", {}).get(self.method)

    def get_response_serializers(self):
        success = getattr(self.view, "success_codes", {}).get(self.method, 200)
        return {success: None if success == 204 else OpenApiTypes.OBJECT} | {
            code: OpenApiTypes.OBJECT for code in ERRORS
        }

    def get_override_parameters(self):
        query = getattr(self.view, "query_serializers", {}).get(self.method)
        return [query] if query else []

    def get_operation_id(self) -> str:
        """A view may name its operations (`operation_ids`): /api/disputes's GET would otherwise be a second
        `disputes_retrieve` beside /api/disputes/{id}'s (drf_spectacular.W001, which `check --deploy` reports)."""
        return getattr(self.view, "operation_ids", {}).get(self.method) or super().get_operation_id()

    def get_description(self) -> str:
        needed = getattr(self.view, "required_permissions", {}).get(self.method)
        if needed == PUBLIC:
            who = "Anyone (no account)."
        else:
            who = "An active staff account" + (f" with: {', '.join(needed)}." if needed else ".")
        return f"{super().get_description() or ''}\n\nPermissions: {who}".strip()
