"""The trezor port: accounts and the addresses derived from them, which travel with the account."""

import dataclasses
from datetime import datetime

from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import new_id, now_ms, truncate_ms
from cutover.store.ports import StoreRepository, revised

from ..records import DerivedAddress, TrezorAccountRecord
from . import mapping


class TrezorRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset({"create_account", "derive_address", "mark_address_used"})
    READ_METHODS = frozenset({"get_account", "get_account_by_xpub", "list_accounts"})

    def create_account(
        self, *, xpub: str, network: str, label: str = "", account_index: int = 0, user_id: str | None = None
    ) -> TrezorAccountRecord:
        if self.get_account_by_xpub(xpub) is not None:
            raise UniqueConflict("trezoraccounts: this xpub is registered already")
        at = now_ms()
        account = TrezorAccountRecord(
            id=new_id(),
            user_id=user_id,
            label=label,
            xpub=xpub,
            network=network,
            account_index=account_index,
            derived_addresses=(),
            created_at=at,
            updated_at=at,
        )
        self._insert(account)
        return account

    def derive_address(self, account_id: str, *, address: str, path: str) -> TrezorAccountRecord:
        """Append the next derived address (index = one past the highest)."""

        def derive(account: TrezorAccountRecord) -> TrezorAccountRecord:
            index = max((item.index for item in account.derived_addresses), default=-1) + 1
            item = DerivedAddress(index=index, address=address, path=path, used_at=None)
            return revised(account, derived_addresses=(*account.derived_addresses, item))

        return self._update(TrezorAccountRecord, account_id, derive)

    def mark_address_used(self, account_id: str, *, index: int, at: datetime | None = None) -> TrezorAccountRecord:
        def mark(account: TrezorAccountRecord) -> TrezorAccountRecord:
            if index not in {item.index for item in account.derived_addresses}:
                raise LookupError(f"trezor account {account_id} has no derived address {index}")
            items = tuple(
                dataclasses.replace(item, used_at=truncate_ms(at) if at else now_ms()) if item.index == index else item
                for item in account.derived_addresses
            )
            return revised(account, derived_addresses=items)

        return self._update(TrezorAccountRecord, account_id, mark)

    def get_account(self, account_id: str) -> TrezorAccountRecord | None:
        return self._get(TrezorAccountRecord, account_id)

    def get_account_by_xpub(self, xpub: str) -> TrezorAccountRecord | None:
        return self._find_one(TrezorAccountRecord, {"xpub": xpub})

    def list_accounts(self, *, user_id: str) -> list[TrezorAccountRecord]:
        return self._find(TrezorAccountRecord, {"user_id": user_id}, order=("id",))
