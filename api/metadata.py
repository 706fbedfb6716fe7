"""OPTIONS: DRF's answer, plus the fields of each method's body and query string (the view's declarations,
api.base.ApiView) that the caller is allowed to use."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import APIException
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class DeclaredMetadata(SimpleMetadata):
    def determine_metadata(self, request, view) -> dict:
        metadata = super().determine_metadata(request, view)
        declared = {**getattr(view, "query_serializers", {}), **getattr(view, "body_serializers", {})}
        actions = {
            method: self.get_serializer_info(serializer())
            for method, serializer in declared.items()
            if self._allowed(request, view, method)
        }
        if actions:
            metadata["actions"] = actions
        return metadata

    @staticmethod
    def _allowed(request, view, method: str) -> bool:
        view.request = clone_request(request, method)
        try:
            view.check_permissions(view.request)
        except (APIException, PermissionDenied, Http404):
            return False
        finally:
            view.request = request
        return True
