"""Disputes: open, list by status and priority (or by admin), read, change status, assign, resolve.
Status changes follow the dispute's state machine (disputes.rules); the actor is the authenticated user."""

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import user_get
from disputes import selectors, services

from . import serializers as s
from .base import ApiView, existing, found, known_id
from .records import record_json

VIEW, ADD, CHANGE = ("disputes.view_dispute",), ("disputes.add_dispute",), ("disputes.change_dispute",)


class DisputeList(ApiView):
    operation_ids = {"GET": "disputes_list"}
    success_codes = {"POST": 201}
    required_permissions = {"GET": VIEW, "POST": ADD}
    query_serializers = {"GET": s.DisputeListQuery}
    body_serializers = {"POST": s.DisputeOpen}

    def get(self, request: Request) -> Response:
        params = self.query(request)
        if "admin_id" in params:
            existing(user_get(user_id=params["admin_id"]), "user", params["admin_id"])
            disputes = selectors.disputes_for_admin(
                admin_id=params["admin_id"], status=params.get("status"), limit=params["limit"]
            )
        else:
            disputes = selectors.disputes_for_dashboard(
                status=params["status"], priority=params.get("priority"), limit=params["limit"]
            )
        return Response({"results": record_json(disputes)})

    def post(self, request: Request) -> Response:
        draft = self.body(request)
        dispute = self.changed(request, action="dispute.open", record=services.dispute_open(**draft), changes=draft)
        return Response(record_json(dispute), status=status.HTTP_201_CREATED)


class DisputeDetail(ApiView):
    required_permissions = {"GET": VIEW}

    def get(self, request: Request, dispute_id: str) -> Response:
        dispute_id = known_id(dispute_id, "dispute")
        return found(selectors.dispute_get(dispute_id=dispute_id), "dispute", dispute_id)


class DisputeStatus(ApiView):
    required_permissions = {"POST": CHANGE}
    body_serializers = {"POST": s.DisputeStatusChange}

    def post(self, request: Request, dispute_id: str) -> Response:
        change = self.body(request)
        dispute = services.dispute_change_status(dispute_id=known_id(dispute_id, "dispute"), actor_id=None, **change)
        return Response(
            record_json(self.changed(request, action="dispute.change_status", record=dispute, changes=change))
        )


class DisputeAssign(ApiView):
    required_permissions = {"POST": CHANGE}
    body_serializers = {"POST": s.DisputeAssign}

    def post(self, request: Request, dispute_id: str) -> Response:
        assignment = self.body(request)
        dispute = services.dispute_assign_admin(dispute_id=known_id(dispute_id, "dispute"), **assignment)
        return Response(record_json(self.changed(request, action="dispute.assign", record=dispute, changes=assignment)))


class DisputeResolve(ApiView):
    required_permissions = {"POST": CHANGE}
    body_serializers = {"POST": s.DisputeResolve}

    def post(self, request: Request, dispute_id: str) -> Response:
        resolution = self.body(request)
        dispute = services.dispute_resolve(dispute_id=known_id(dispute_id, "dispute"), actor_id=None, **resolution)
        return Response(
            record_json(self.changed(request, action="dispute.resolve", record=dispute, changes=resolution))
        )
