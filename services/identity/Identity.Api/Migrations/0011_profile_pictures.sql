-- An uploaded profile picture's blob key; NULL when profile_image_url is an address the member gave (or there is none).
ALTER TABLE users ADD COLUMN profile_image_key text NULL;
