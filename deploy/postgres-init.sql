-- The tracker store's database, next to the project database `bot`.
CREATE DATABASE tracker OWNER bot;
