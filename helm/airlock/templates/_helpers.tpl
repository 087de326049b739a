{{- define "airlock.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{- define "airlock.labels" -}}
app.kubernetes.io/name: airlock
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "airlock.env" -}}
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: HOST
  value: "0.0.0.0"
- name: AIRLOCK_ARTIFACT_STORE
  value: {{ .Values.config.artifactStore | quote }}
{{- range $name, $value := .Values.config.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
