"""Notebook kernels over IPC: the book's kernels talk through Unix sockets, not TCP.

jupyter_client starts a kernel on TCP by default: code and outputs travel in plain
text between local ports, and ipykernel says so at every start, "[IPKernelApp]
WARNING | Kernel is running over TCP without encryption". The transport is chosen by
the kernel *manager*, which the book build (myst-nb, through jupyter-cache and
nbclient) creates with no configuration; but how a kernel is launched is pluggable.
:class:`IpcProvisioner`, registered as the kernel provisioner ``atlas-ipc`` (an entry
point of this package), is jupyter_client's local provisioner with the transport
switched to ``ipc``, its sockets in a private temporary directory that goes when the
kernel does. :func:`use_ipc_kernels` makes it the default of this process for every
kernel spec that names no provisioner of its own (the book's ``python3``); atlas's
Sphinx extension calls it, so ``jupyter-book build .`` needs no setting.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

PROVISIONER = "atlas-ipc"
"""The entry-point name of :class:`IpcProvisioner`, group ``jupyter_client.kernel_provisioners``."""


class IpcProvisioner(LocalProvisioner):  # type: ignore[misc]
    """A local kernel whose five channels are Unix sockets in a private temporary directory."""

    socket_dir: str | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Switch the manager to IPC (once: a restart keeps the directory), then launch
        as the local provisioner does; it writes the connection file."""
        manager = self.parent
        if manager is not None and self.socket_dir is None:
            self.socket_dir = tempfile.mkdtemp(prefix="atlas-kernel-")
            manager.transport = "ipc"
            manager.ip = str(Path(self.socket_dir) / "kernel")  # sockets kernel-1, kernel-2, ...
            manager.cache_ports = False  # there are no TCP ports to keep
        return await super().pre_launch(**kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        """The local provisioner's cleanup, then the socket directory (unless restarting)."""
        await super().cleanup(restart)
        if not restart and self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            self.socket_dir = None


def use_ipc_kernels() -> bool:
    """Make :class:`IpcProvisioner` this process's default provisioner; False (and nothing
    changed) if the entry point is not installed, e.g. atlas not installed with pip."""
    factory = KernelProvisionerFactory.instance()
    if PROVISIONER not in factory.get_provisioner_entries():
        return False
    factory.default_provisioner_name = PROVISIONER
    return True
