"""deskbot's messenger gateway: channel adapters around one channel-agnostic conversation core."""
