"""Disputes: open, list by status and priority (or by admin), read, change status, assign, resolve."""

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes import selectors, services

from . import serializers as s
from .base import body, found, known_id, query
from .records import record_json


class DisputeList(APIView):
    def get(self, request: Request) -> Response:
        params = query(request, s.DisputeListQuery)
        if "admin_id" in params:
            disputes = selectors.disputes_for_admin(
                admin_id=params["admin_id"], status=params.get("status"), limit=params["limit"]
            )
        else:
            disputes = selectors.disputes_for_dashboard(
                status=params["status"], priority=params.get("priority"), limit=params["limit"]
            )
        return Response({"results": record_json(disputes)})

    def post(self, request: Request) -> Response:
        dispute = services.dispute_open(**body(request, s.DisputeOpen))
        return Response(record_json(dispute), status=status.HTTP_201_CREATED)


class DisputeDetail(APIView):
    def get(self, request: Request, dispute_id: str) -> Response:
        dispute_id = known_id(dispute_id, "dispute")
        return found(selectors.dispute_get(dispute_id=dispute_id), "dispute", dispute_id)


class DisputeStatus(APIView):
    def post(self, request: Request, dispute_id: str) -> Response:
        change = body(request, s.DisputeStatusChange)
        dispute = services.dispute_change_status(dispute_id=known_id(dispute_id, "dispute"), **change)
        return Response(record_json(dispute))


class DisputeAssign(APIView):
    def post(self, request: Request, dispute_id: str) -> Response:
        assignment = body(request, s.DisputeAssign)
        dispute = services.dispute_assign_admin(dispute_id=known_id(dispute_id, "dispute"), **assignment)
        return Response(record_json(dispute))


class DisputeResolve(APIView):
    def post(self, request: Request, dispute_id: str) -> Response:
        resolution = body(request, s.DisputeResolve)
        dispute = services.dispute_resolve(dispute_id=known_id(dispute_id, "dispute"), **resolution)
        return Response(record_json(dispute))
