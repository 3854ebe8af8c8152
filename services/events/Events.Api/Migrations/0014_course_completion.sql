-- When a learner first completed every module of a course: CourseCompleted goes out once, at that moment.
-- Enrollments that were already complete get the time of their last module, without an announcement.
ALTER TABLE course_enrollments ADD COLUMN completed_at timestamptz NULL;

UPDATE course_enrollments e SET completed_at = (SELECT max(p.completed_at) FROM module_progress p WHERE p.enrollment_id = e.id)
WHERE EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = e.course_id)
  AND NOT EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = e.course_id
                  AND NOT EXISTS (SELECT 1 FROM module_progress p WHERE p.enrollment_id = e.id AND p.module_id = m.id));
