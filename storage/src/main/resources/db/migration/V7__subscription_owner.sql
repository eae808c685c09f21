-- Scale-out: several service nodes share this database. A subscription with a shared group
-- (integration setting sharedGroup) runs on every node, each with a session of its own; one without
-- runs on one node only, because the integration's one client id would otherwise be used by two
-- clients that knock each other off the broker. owner_node names that node: the node that answered
-- the subscribe call, or, while NULL (rows from before this migration, or saved without one), the
-- first node to claim it.
ALTER TABLE subscriptions ADD COLUMN owner_node text;
