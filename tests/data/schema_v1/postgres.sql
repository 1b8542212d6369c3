--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: __SCHEMA__; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA __SCHEMA__;


--
-- Name: desk_audit_append_only(); Type: FUNCTION; Schema: __SCHEMA__; Owner: -
--

CREATE FUNCTION __SCHEMA__.desk_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'dossier_event is append-only'; END; $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: calendar_day; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.calendar_day (
    id integer NOT NULL,
    office_id integer NOT NULL,
    day date NOT NULL,
    kind character varying(4) NOT NULL,
    note character varying(200) NOT NULL
);


--
-- Name: calendar_day_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.calendar_day_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: calendar_day_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.calendar_day_id_seq OWNED BY __SCHEMA__.calendar_day.id;


--
-- Name: daily_sequence; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.daily_sequence (
    id integer NOT NULL,
    office_id integer NOT NULL,
    day character varying(6) NOT NULL,
    last_value integer NOT NULL
);


--
-- Name: daily_sequence_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.daily_sequence_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: daily_sequence_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.daily_sequence_id_seq OWNED BY __SCHEMA__.daily_sequence.id;


--
-- Name: dossier; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.dossier (
    id integer NOT NULL,
    code character varying(64) NOT NULL,
    office_id integer NOT NULL,
    procedure_id integer NOT NULL,
    applicant_name character varying(200) NOT NULL,
    applicant_name_folded character varying(200) NOT NULL,
    id_number character varying(12) NOT NULL,
    birth_date date,
    gender character varying(5) NOT NULL,
    address character varying(300) NOT NULL,
    phone character varying(20) NOT NULL,
    email character varying(200) NOT NULL,
    channel character varying(10) NOT NULL,
    reception_point_id integer,
    return_point_id integer,
    documents text NOT NULL,
    sets integer NOT NULL,
    writing_assistance boolean NOT NULL,
    received_at timestamp without time zone NOT NULL,
    due_at timestamp without time zone NOT NULL,
    appointment_at timestamp without time zone NOT NULL,
    status character varying(20) NOT NULL,
    resolved_at timestamp without time zone,
    returned_at timestamp without time zone,
    closed_at timestamp without time zone,
    returned_to character varying(200) NOT NULL,
    received_by_id integer,
    handler_id integer,
    notes text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp without time zone NOT NULL
);


--
-- Name: dossier_event; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.dossier_event (
    id integer NOT NULL,
    dossier_id integer NOT NULL,
    at timestamp without time zone NOT NULL,
    actor_id integer,
    actor_name character varying(200) NOT NULL,
    action character varying(30) NOT NULL,
    from_status character varying(20),
    to_status character varying(20) NOT NULL,
    note text NOT NULL,
    data text NOT NULL
);


--
-- Name: dossier_event_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.dossier_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: dossier_event_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.dossier_event_id_seq OWNED BY __SCHEMA__.dossier_event.id;


--
-- Name: dossier_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.dossier_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: dossier_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.dossier_id_seq OWNED BY __SCHEMA__.dossier.id;


--
-- Name: field; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.field (
    id integer NOT NULL,
    code character varying(32) NOT NULL,
    name character varying(200) NOT NULL,
    sort_order integer NOT NULL
);


--
-- Name: field_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.field_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: field_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.field_id_seq OWNED BY __SCHEMA__.field.id;


--
-- Name: office; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.office (
    id integer NOT NULL,
    code character varying(32) NOT NULL,
    name character varying(200) NOT NULL,
    parent_name character varying(200) NOT NULL,
    address character varying(300) NOT NULL,
    place_name character varying(100) NOT NULL,
    phone character varying(50) NOT NULL,
    hours character varying(100) NOT NULL,
    no_appointment_weekdays character varying(20) NOT NULL,
    secret character varying(128) NOT NULL
);


--
-- Name: office_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.office_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: office_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.office_id_seq OWNED BY __SCHEMA__.office.id;


--
-- Name: procedure; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.procedure (
    id integer NOT NULL,
    code character varying(64) NOT NULL,
    name character varying(500) NOT NULL,
    name_folded character varying(500) NOT NULL,
    field_id integer NOT NULL,
    processing_days integer NOT NULL,
    day_unit character varying(10) NOT NULL,
    cutoff character varying(5),
    fee character varying(300) NOT NULL,
    documents text NOT NULL,
    online_level character varying(10) NOT NULL,
    legal_basis text NOT NULL,
    no_appointment_day boolean NOT NULL,
    active boolean NOT NULL
);


--
-- Name: procedure_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.procedure_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procedure_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.procedure_id_seq OWNED BY __SCHEMA__.procedure.id;


--
-- Name: reception_point; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.reception_point (
    id integer NOT NULL,
    office_id integer NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(20) NOT NULL,
    address character varying(300) NOT NULL,
    weekdays character varying(20) NOT NULL,
    hours character varying(100) NOT NULL,
    active boolean NOT NULL
);


--
-- Name: reception_point_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.reception_point_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: reception_point_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.reception_point_id_seq OWNED BY __SCHEMA__.reception_point.id;


--
-- Name: schema_info; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.schema_info (
    key character varying(64) NOT NULL,
    value character varying(255) NOT NULL
);


--
-- Name: staff; Type: TABLE; Schema: __SCHEMA__; Owner: -
--

CREATE TABLE __SCHEMA__.staff (
    id integer NOT NULL,
    username character varying(64) NOT NULL,
    full_name character varying(200) NOT NULL,
    role character varying(10) NOT NULL,
    password_hash character varying(300) NOT NULL,
    must_change_password boolean NOT NULL,
    failed_logins integer NOT NULL,
    locked_until timestamp without time zone,
    active boolean NOT NULL
);


--
-- Name: staff_id_seq; Type: SEQUENCE; Schema: __SCHEMA__; Owner: -
--

CREATE SEQUENCE __SCHEMA__.staff_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: staff_id_seq; Type: SEQUENCE OWNED BY; Schema: __SCHEMA__; Owner: -
--

ALTER SEQUENCE __SCHEMA__.staff_id_seq OWNED BY __SCHEMA__.staff.id;


--
-- Name: calendar_day id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.calendar_day ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.calendar_day_id_seq'::regclass);


--
-- Name: daily_sequence id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.daily_sequence ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.daily_sequence_id_seq'::regclass);


--
-- Name: dossier id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.dossier_id_seq'::regclass);


--
-- Name: dossier_event id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier_event ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.dossier_event_id_seq'::regclass);


--
-- Name: field id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.field ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.field_id_seq'::regclass);


--
-- Name: office id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.office ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.office_id_seq'::regclass);


--
-- Name: procedure id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.procedure ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.procedure_id_seq'::regclass);


--
-- Name: reception_point id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.reception_point ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.reception_point_id_seq'::regclass);


--
-- Name: staff id; Type: DEFAULT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.staff ALTER COLUMN id SET DEFAULT nextval('__SCHEMA__.staff_id_seq'::regclass);


--
-- Data for Name: calendar_day; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--



--
-- Data for Name: daily_sequence; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.daily_sequence VALUES (1, 1, '260314', 3);
INSERT INTO __SCHEMA__.daily_sequence VALUES (4, 1, '260316', 1);


--
-- Data for Name: dossier; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.dossier VALUES (2, '000.00.13.H42-260314-0002', 1, 3, 'Trần Thị Bình', 'tran thi binh', '', NULL, '', '', '', '', 'direct', NULL, NULL, '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 1, false, '2026-03-14 03:00:00', '2026-03-19 10:00:00', '2026-03-19 10:00:00', 'received', NULL, NULL, NULL, '', NULL, NULL, '', 1, '2026-12-01 20:09:14');
INSERT INTO __SCHEMA__.dossier VALUES (3, '000.00.13.H42-260314-0003', 1, 3, 'Lê Văn Cổ', 'le van co', '', NULL, '', '', '', '', 'direct', NULL, NULL, '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 1, false, '1926-03-14 02:30:00', '1926-03-18 10:00:00', '1926-03-18 10:00:00', 'received', NULL, NULL, NULL, '', NULL, NULL, '', 1, '2026-12-01 20:09:14');
INSERT INTO __SCHEMA__.dossier VALUES (4, '000.00.13.H42-260316-0001', 1, 3, 'Phạm Thị Dung', 'pham thi dung', '', NULL, '', '', '', '', 'direct', NULL, NULL, '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 1, false, '2026-03-16 01:00:00', '2026-03-19 10:00:00', '2026-03-19 10:00:00', 'received', NULL, NULL, NULL, '', NULL, NULL, '', 1, '2026-12-01 20:09:14');
INSERT INTO __SCHEMA__.dossier VALUES (1, '000.00.13.H42-260314-0001', 1, 3, 'Nguyễn Văn An', 'nguyen van an', '', NULL, '', '', '', '', 'direct', NULL, NULL, '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 1, false, '2026-03-14 02:00:00', '2026-03-19 10:00:00', '2026-03-19 10:00:00', 'processing', NULL, NULL, NULL, '', NULL, NULL, '', 2, '2026-12-01 20:09:14');


--
-- Data for Name: dossier_event; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.dossier_event VALUES (1, 1, '2026-03-14 02:00:00', NULL, 'Hệ thống', 'receive', NULL, 'received', '', '{"due_at": "2026-03-19T17:00:00+07:00", "channel": "direct"}');
INSERT INTO __SCHEMA__.dossier_event VALUES (2, 2, '2026-03-14 03:00:00', NULL, 'Hệ thống', 'receive', NULL, 'received', '', '{"due_at": "2026-03-19T17:00:00+07:00", "channel": "direct"}');
INSERT INTO __SCHEMA__.dossier_event VALUES (3, 3, '1926-03-14 02:30:00', NULL, 'Hệ thống', 'receive', NULL, 'received', '', '{"due_at": "1926-03-18T17:00:00+07:00", "channel": "direct"}');
INSERT INTO __SCHEMA__.dossier_event VALUES (4, 4, '2026-03-16 01:00:00', NULL, 'Hệ thống', 'receive', NULL, 'received', '', '{"due_at": "2026-03-19T17:00:00+07:00", "channel": "direct"}');
INSERT INTO __SCHEMA__.dossier_event VALUES (5, 1, '2026-12-01 20:09:14', NULL, 'Hệ thống', 'advance', 'received', 'processing', '', '{}');


--
-- Data for Name: field; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.field VALUES (1, 'HT', 'Hộ tịch', 1);
INSERT INTO __SCHEMA__.field VALUES (2, 'CT', 'Chứng thực', 2);


--
-- Data for Name: office; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.office VALUES (1, '000.00.13.H42', 'UBND phường Trần Phú', 'UBND THÀNH PHỐ HÀ TĨNH', 'Số 1 đường Trần Phú, phường Trần Phú, thành phố Hà Tĩnh', 'Hà Tĩnh', '', '07:30-11:30,13:30-17:00', '2', 'b57afbc9131e61d3a5afc890042ce04dda3a92b2b660e257750167c6d95552a6');


--
-- Data for Name: procedure; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.procedure VALUES (1, 'T-KS', 'Đăng ký khai sinh', 'dang ky khai sinh', 1, 0, 'working', '15:00', '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', true, true);
INSERT INTO __SCHEMA__.procedure VALUES (2, 'T-KT', 'Đăng ký khai tử', 'dang ky khai tu', 1, 0, 'working', NULL, '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', true, true);
INSERT INTO __SCHEMA__.procedure VALUES (3, 'T-TTHN', 'Cấp giấy xác nhận tình trạng hôn nhân', 'cap giay xac nhan tinh trang hon nhan', 1, 3, 'working', NULL, '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', true, true);
INSERT INTO __SCHEMA__.procedure VALUES (4, 'T-KSL', 'Đăng ký lại khai sinh', 'dang ky lai khai sinh', 1, 5, 'working', NULL, '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', false, true);
INSERT INTO __SCHEMA__.procedure VALUES (5, 'T-BS', 'Chứng thực bản sao từ bản chính', 'chung thuc ban sao tu ban chinh', 2, 0, 'working', '15:00', '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', true, true);
INSERT INTO __SCHEMA__.procedure VALUES (6, 'T-HD', 'Chứng thực hợp đồng, giao dịch', 'chung thuc hop dong, giao dich', 2, 2, 'working', NULL, '', '[{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"}]', 'none', '', false, true);


--
-- Data for Name: reception_point; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.reception_point VALUES (1, 1, 'Bộ phận Một cửa UBND phường', 'office', 'Trụ sở UBND phường', '0,1,2,3,4', '07:30-11:30,13:30-17:00', true);
INSERT INTO __SCHEMA__.reception_point VALUES (2, 1, 'Điểm tiếp nhận điện tử Tổ dân phố 2', 'e_point', 'Nhà văn hóa Tổ dân phố 2', '0,1,2,3,4', '07:30-11:30,13:30-17:00', true);
INSERT INTO __SCHEMA__.reception_point VALUES (3, 1, 'Điểm tiếp nhận điện tử Tổ dân phố 5', 'e_point', 'Nhà văn hóa Tổ dân phố 5', '0,1,2,3,4,5', '07:30-11:30,13:30-17:00', true);


--
-- Data for Name: schema_info; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.schema_info VALUES ('schema_version', '1');


--
-- Data for Name: staff; Type: TABLE DATA; Schema: __SCHEMA__; Owner: -
--

INSERT INTO __SCHEMA__.staff VALUES (1, 'admin', 'Quản trị hệ thống', 'admin', 'scrypt$16384$5151c36847613904202a955091003a4d$31b63d9f453014c68d7546914e174df2fa0600a574eb9367b64a8f87759b8a16', true, 0, NULL, true);


--
-- Name: calendar_day_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.calendar_day_id_seq', 1, false);


--
-- Name: daily_sequence_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.daily_sequence_id_seq', 4, true);


--
-- Name: dossier_event_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.dossier_event_id_seq', 5, true);


--
-- Name: dossier_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.dossier_id_seq', 4, true);


--
-- Name: field_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.field_id_seq', 2, true);


--
-- Name: office_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.office_id_seq', 1, true);


--
-- Name: procedure_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.procedure_id_seq', 6, true);


--
-- Name: reception_point_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.reception_point_id_seq', 3, true);


--
-- Name: staff_id_seq; Type: SEQUENCE SET; Schema: __SCHEMA__; Owner: -
--

SELECT pg_catalog.setval('__SCHEMA__.staff_id_seq', 1, true);


--
-- Name: calendar_day calendar_day_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.calendar_day
    ADD CONSTRAINT calendar_day_pkey PRIMARY KEY (id);


--
-- Name: daily_sequence daily_sequence_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.daily_sequence
    ADD CONSTRAINT daily_sequence_pkey PRIMARY KEY (id);


--
-- Name: dossier_event dossier_event_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier_event
    ADD CONSTRAINT dossier_event_pkey PRIMARY KEY (id);


--
-- Name: dossier dossier_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_pkey PRIMARY KEY (id);


--
-- Name: field field_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.field
    ADD CONSTRAINT field_pkey PRIMARY KEY (id);


--
-- Name: office office_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.office
    ADD CONSTRAINT office_pkey PRIMARY KEY (id);


--
-- Name: procedure procedure_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.procedure
    ADD CONSTRAINT procedure_pkey PRIMARY KEY (id);


--
-- Name: reception_point reception_point_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.reception_point
    ADD CONSTRAINT reception_point_pkey PRIMARY KEY (id);


--
-- Name: schema_info schema_info_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.schema_info
    ADD CONSTRAINT schema_info_pkey PRIMARY KEY (key);


--
-- Name: staff staff_pkey; Type: CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.staff
    ADD CONSTRAINT staff_pkey PRIMARY KEY (id);


--
-- Name: calendar_day_office_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX calendar_day_office_id ON __SCHEMA__.calendar_day USING btree (office_id);


--
-- Name: calendar_day_office_id_day; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX calendar_day_office_id_day ON __SCHEMA__.calendar_day USING btree (office_id, day);


--
-- Name: daily_sequence_office_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX daily_sequence_office_id ON __SCHEMA__.daily_sequence USING btree (office_id);


--
-- Name: daily_sequence_office_id_day; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX daily_sequence_office_id_day ON __SCHEMA__.daily_sequence USING btree (office_id, day);


--
-- Name: dossier_applicant_name_folded; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_applicant_name_folded ON __SCHEMA__.dossier USING btree (applicant_name_folded);


--
-- Name: dossier_code; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX dossier_code ON __SCHEMA__.dossier USING btree (code);


--
-- Name: dossier_due_at; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_due_at ON __SCHEMA__.dossier USING btree (due_at);


--
-- Name: dossier_event_actor_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_event_actor_id ON __SCHEMA__.dossier_event USING btree (actor_id);


--
-- Name: dossier_event_dossier_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_event_dossier_id ON __SCHEMA__.dossier_event USING btree (dossier_id);


--
-- Name: dossier_handler_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_handler_id ON __SCHEMA__.dossier USING btree (handler_id);


--
-- Name: dossier_id_number; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_id_number ON __SCHEMA__.dossier USING btree (id_number);


--
-- Name: dossier_office_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_office_id ON __SCHEMA__.dossier USING btree (office_id);


--
-- Name: dossier_phone; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_phone ON __SCHEMA__.dossier USING btree (phone);


--
-- Name: dossier_procedure_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_procedure_id ON __SCHEMA__.dossier USING btree (procedure_id);


--
-- Name: dossier_received_at; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_received_at ON __SCHEMA__.dossier USING btree (received_at);


--
-- Name: dossier_received_by_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_received_by_id ON __SCHEMA__.dossier USING btree (received_by_id);


--
-- Name: dossier_reception_point_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_reception_point_id ON __SCHEMA__.dossier USING btree (reception_point_id);


--
-- Name: dossier_resolved_at_due_at; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_resolved_at_due_at ON __SCHEMA__.dossier USING btree (resolved_at, due_at);


--
-- Name: dossier_return_point_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_return_point_id ON __SCHEMA__.dossier USING btree (return_point_id);


--
-- Name: dossier_status; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_status ON __SCHEMA__.dossier USING btree (status);


--
-- Name: dossier_status_due_at; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX dossier_status_due_at ON __SCHEMA__.dossier USING btree (status, due_at);


--
-- Name: field_code; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX field_code ON __SCHEMA__.field USING btree (code);


--
-- Name: office_code; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX office_code ON __SCHEMA__.office USING btree (code);


--
-- Name: procedure_code; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX procedure_code ON __SCHEMA__.procedure USING btree (code);


--
-- Name: procedure_field_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX procedure_field_id ON __SCHEMA__.procedure USING btree (field_id);


--
-- Name: procedure_name_folded; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX procedure_name_folded ON __SCHEMA__.procedure USING btree (name_folded);


--
-- Name: reception_point_office_id; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE INDEX reception_point_office_id ON __SCHEMA__.reception_point USING btree (office_id);


--
-- Name: reception_point_office_id_name; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX reception_point_office_id_name ON __SCHEMA__.reception_point USING btree (office_id, name);


--
-- Name: staff_username; Type: INDEX; Schema: __SCHEMA__; Owner: -
--

CREATE UNIQUE INDEX staff_username ON __SCHEMA__.staff USING btree (username);


--
-- Name: dossier_event dossier_event_no_update; Type: TRIGGER; Schema: __SCHEMA__; Owner: -
--

CREATE TRIGGER dossier_event_no_update BEFORE DELETE OR UPDATE ON __SCHEMA__.dossier_event FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.desk_audit_append_only();


--
-- Name: calendar_day calendar_day_office_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.calendar_day
    ADD CONSTRAINT calendar_day_office_id_fkey FOREIGN KEY (office_id) REFERENCES __SCHEMA__.office(id) ON DELETE CASCADE;


--
-- Name: daily_sequence daily_sequence_office_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.daily_sequence
    ADD CONSTRAINT daily_sequence_office_id_fkey FOREIGN KEY (office_id) REFERENCES __SCHEMA__.office(id) ON DELETE CASCADE;


--
-- Name: dossier_event dossier_event_actor_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier_event
    ADD CONSTRAINT dossier_event_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES __SCHEMA__.staff(id);


--
-- Name: dossier_event dossier_event_dossier_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier_event
    ADD CONSTRAINT dossier_event_dossier_id_fkey FOREIGN KEY (dossier_id) REFERENCES __SCHEMA__.dossier(id);


--
-- Name: dossier dossier_handler_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_handler_id_fkey FOREIGN KEY (handler_id) REFERENCES __SCHEMA__.staff(id);


--
-- Name: dossier dossier_office_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_office_id_fkey FOREIGN KEY (office_id) REFERENCES __SCHEMA__.office(id);


--
-- Name: dossier dossier_procedure_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES __SCHEMA__.procedure(id);


--
-- Name: dossier dossier_received_by_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_received_by_id_fkey FOREIGN KEY (received_by_id) REFERENCES __SCHEMA__.staff(id);


--
-- Name: dossier dossier_reception_point_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_reception_point_id_fkey FOREIGN KEY (reception_point_id) REFERENCES __SCHEMA__.reception_point(id);


--
-- Name: dossier dossier_return_point_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.dossier
    ADD CONSTRAINT dossier_return_point_id_fkey FOREIGN KEY (return_point_id) REFERENCES __SCHEMA__.reception_point(id);


--
-- Name: procedure procedure_field_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.procedure
    ADD CONSTRAINT procedure_field_id_fkey FOREIGN KEY (field_id) REFERENCES __SCHEMA__.field(id);


--
-- Name: reception_point reception_point_office_id_fkey; Type: FK CONSTRAINT; Schema: __SCHEMA__; Owner: -
--

ALTER TABLE ONLY __SCHEMA__.reception_point
    ADD CONSTRAINT reception_point_office_id_fkey FOREIGN KEY (office_id) REFERENCES __SCHEMA__.office(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


