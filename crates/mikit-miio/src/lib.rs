//! miIO LAN protocol: sans-IO packet codec, async client, discovery and a device-side server loop.
