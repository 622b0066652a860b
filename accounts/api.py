from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.services import user_language_set, user_sign_up


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    language = serializers.CharField()


class RegisterInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="")


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=RegisterInputSerializer,
        responses={202: inline_serializer("RegisterOutput", {"detail": serializers.CharField()})},
        description="Starts a sign-up: the address gets a link that confirms the account (then ask for a token). "
        "The answer is the same whether or not the address has an account; if it has, its owner is told by e-mail.",
    )
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_sign_up(**data.validated_data, site_url=request.build_absolute_uri("/"))
        detail = _("We sent a message to the address you gave. Open the link in it to finish signing up.")
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class TokenApi(APIView):
    """Exchange a username and password for the user's API token (created on first use)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        data = AuthTokenSerializer(data=request.data, context={"request": request._request})
        data.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=data.validated_data["user"])
        return Response({"token": token.key})


class LanguageInputSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=[("", ""), *settings.LANGUAGES])


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(request=LanguageInputSerializer, responses={200: UserOutputSerializer})
    def patch(self, request: Request) -> Response:
        data = LanguageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_language_set(user=request.user, language=data.validated_data["language"])
        return Response(UserOutputSerializer(user).data)
