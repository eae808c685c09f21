SELECT username FROM mqi_revoked_device_usernames(?)
