"""``regflow users list|set|history``: who the register's users are and which roles they hold.

Roles are kept in the register, so a change made here is what every desktop and command sees.
Anyone who may write the register may change roles; every change is kept with who made it
(``regflow users history``).
"""

from __future__ import annotations

from regflow.engine.register.api import User

from .register_cmds import _actor, _emit, _guarded, _open, add_register_options
from .report import table


def _when(user: User) -> str:
    return user.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")


def _data(user: User) -> dict:
    return {"name": user.name, "roles": list(user.roles), "changed_by": user.changed_by,
            "changed_at": user.changed_at.isoformat()}


def _roles(user: User) -> str:
    return ", ".join(user.roles) or "(no role)"


def cmd_list(args) -> int:
    with _open(args) as reg:
        found = reg.users()
    text = (table(["user", "roles", "changed", "by"],
                  [[u.name, _roles(u), _when(u), u.changed_by] for u in found], indent="")
            + "\n") if found else "no users recorded yet (regflow users set NAME --role ROLE)\n"
    _emit(args, [_data(u) for u in found], text)
    return 0


def cmd_set(args) -> int:
    with _open(args, write=True) as reg:
        user = reg.set_roles(args.name, args.role or [], by=_actor(args))
    print(f"{user.name} now holds: {', '.join(user.roles)}" if user.roles
          else f"{user.name} now holds no role")
    return 0


def cmd_history(args) -> int:
    with _open(args) as reg:
        found = reg.user_history(args.name)
    text = (table(["changed", "user", "by", "roles from then on"],
                  [[_when(u), u.name, u.changed_by, _roles(u)] for u in found], indent="")
            + "\n") if found else "no changes to users' roles recorded\n"
    _emit(args, [_data(u) for u in found], text)
    return 0


def add_command(sub) -> None:
    users = sub.add_parser("users", help="the register's users and the roles they hold")
    usub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    p = usub.add_parser("list", help="every user the register knows, with their roles")
    add_register_options(p, json_flag=True)
    p.set_defaults(func=_guarded(cmd_list))
    p = usub.add_parser("set", help="the roles a user holds (any user who may write the "
                        "register may change them; the change is kept in the history)")
    p.add_argument("name", metavar="NAME", help="the user's name, as recorded in case histories")
    p.add_argument("--role", action="append", metavar="ROLE",
                   help="a role they hold (its label or id; repeat for more; none: no role)")
    p.add_argument("--actor", help="who makes the change (default: your user name)")
    add_register_options(p)
    p.set_defaults(func=_guarded(cmd_set))
    p = usub.add_parser("history", help="every change to users' roles, oldest first")
    p.add_argument("name", nargs="?", metavar="NAME", help="only this user's")
    add_register_options(p, json_flag=True)
    p.set_defaults(func=_guarded(cmd_history))
