-- The host's parameters of a webinar's BBB meeting (webinar.Webinar's
-- Meeting): the JSON of bbb.CreateParams, NULL when the host gave none.
ALTER TABLE webinars ADD COLUMN meeting TEXT;
