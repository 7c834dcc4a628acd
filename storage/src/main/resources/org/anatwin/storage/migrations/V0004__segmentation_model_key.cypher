// One registered segmentation model per name@version: two registrations racing cannot make two.
CREATE CONSTRAINT segmentation_model_key IF NOT EXISTS FOR (n:SegmentationModel) REQUIRE n.key IS UNIQUE
